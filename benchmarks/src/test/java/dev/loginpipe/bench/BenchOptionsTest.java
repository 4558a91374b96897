package dev.loginpipe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The options that choose what a run measures: a typo must stop the run, not silently measure nothing. */
class BenchOptionsTest {
    @Test
    void onlyMeasuresTheNamedParts() throws Exception {
        BenchOptions options = BenchOptions.parse(new String[] {"--only", "loginpipe-1,limit",
                "--streams-jvm-arg", "-XX:+UseSerialGC"});
        assertThat(options.measures("loginpipe-1")).isTrue();
        assertThat(options.measures("limit")).isTrue();
        assertThat(options.measures("streams-tuned")).isFalse();
        assertThat(options.measures("latency")).isFalse();
        assertThat(options.streamsJvmArgs()).containsExactly("-XX:+UseSerialGC");
    }

    @Test
    void withoutOnlyEverythingIsMeasured() throws Exception {
        BenchOptions options = BenchOptions.parse(new String[] {"--quick"});
        for (Contender contender : Contender.values()) {
            assertThat(options.measures(contender.key())).isTrue();
        }
        assertThat(options.measures("limit")).isTrue();
        assertThat(options.measures("latency")).isTrue();
    }

    @Test
    void anUnknownPartIsRefused() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--only", "loginpipe-1,loginpipe-2"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--only takes some of");
    }
}
