package dev.loginpipe.bench;

import java.util.concurrent.TimeUnit;

import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.consumer.RecordRouter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The consumer's whole per-record path without the network: validate, decide, build the output or DLQ record
 * with its headers. Records per second, one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoutingBenchmark {
    @Param({"VALID", "MISSING_FIELD", "BAD_IP", "NOT_JSON", "NOT_UTF8"})
    public SampleEvents event;

    private RecordRouter router;
    private SchemaVersion schema;
    private ConsumerRecord<byte[], byte[]> record;

    @Setup
    public void setUp() {
        schema = SchemaVersion.ofFile("bundled", EventValidator.load(EventValidator.BUNDLED));
        router = new RecordRouter("processed-user-login",
                "user-login-dlq", "user-login-consumer-group", "bench-1", 1_048_576, 2_097_152);
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", "4bf92f3577b34da6".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        record = new ConsumerRecord<>("user-login", 1, 123_456_789L, 1_700_000_000_000L, TimestampType.CREATE_TIME,
                36, event.value().length, "u-7c9e6679-7425-40de-944b-0123456".getBytes(), event.value(), headers,
                java.util.Optional.of(0));
    }

    @Benchmark
    public RecordRouter.Routed route() {
        return router.route(record, schema);
    }
}
