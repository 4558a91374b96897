package dev.loginpipe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.ValidationResult;
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
 * Parse + validate of one record value, as the consumer does it for every record: events per second, one thread. By
 * the bundled schema, and by one that adds a {@code pattern} to each of the event's identifiers (each match runs
 * against the record's time budget); on the consumer's path (the one-pass check first, the schema library for what it
 * does not accept) and on the library's alone (a Jackson tree, then networknt: the path before the one-pass check).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ValidationBenchmark {
    /** The bundled schema with a pattern on each identifier. */
    private static final String PATTERNS = """
            {"type":"object","required":["user_id","app_version","device_type","ip","locale","device_id","timestamp"],
             "additionalProperties":false,"properties":{
              "user_id":{"type":"string","pattern":"^u-[0-9a-f-]+$"},
              "app_version":{"type":"string","pattern":"^[0-9]+(\\\\.[0-9]+)*$"},
              "device_type":{"type":"string","pattern":"^[a-z]+$"},
              "ip":{"type":"string","format":"ipv4"},
              "locale":{"type":"string","pattern":"^[a-z]{2}$"},
              "device_id":{"type":"string","pattern":"^d-[0-9a-f-]+$"},
              "timestamp":{"type":"integer","minimum":0}}}""";

    @Param
    public SampleEvents event;

    @Param({"bundled", "patterns"})
    public String schema;

    @Param({"one-pass", "library"})
    public String path;

    private EventValidator validator;
    private byte[] value;

    @Setup
    public void setUp() throws IOException {
        if (schema.equals("bundled")) {
            validator = EventValidator.load(EventValidator.BUNDLED);
        } else {
            Path file = Files.createTempFile("patterns", ".json");
            Files.writeString(file, PATTERNS);
            validator = EventValidator.load(file.toString());
            Files.delete(file);
        }
        value = event.value();
    }

    @Benchmark
    public ValidationResult validate() {
        return path.equals("library") ? validator.validateByLibrary(value) : validator.validate(value);
    }
}
