package dev.loginpipe.bench;

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

/** Parse + validate of one record value, as the consumer does it for every record: events per second, one thread. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ValidationBenchmark {
    @Param
    public SampleEvents event;

    private EventValidator validator;
    private byte[] value;

    @Setup
    public void setUp() {
        validator = EventValidator.load(EventValidator.BUNDLED);
        value = event.value();
    }

    @Benchmark
    public ValidationResult validate() {
        return validator.validate(value);
    }
}
