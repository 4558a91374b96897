package dev.loginpipe.bench;

import static dev.loginpipe.bench.Contender.LOGINPIPE_1;
import static dev.loginpipe.bench.Contender.LOGINPIPE_3;
import static dev.loginpipe.bench.Contender.STREAMS_DEFAULTS;
import static dev.loginpipe.bench.Contender.STREAMS_TUNED;
import static dev.loginpipe.bench.JvmFlags.DEFAULTS;
import static dev.loginpipe.bench.JvmFlags.OPTIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The options that choose what a run measures: a typo must stop the run, not silently measure nothing. */
class BenchOptionsTest {
    @Test
    void onlyMeasuresTheNamedParts() throws Exception {
        BenchOptions options = BenchOptions.parse(new String[] {"--only", "loginpipe-1,limit",
                "--streams-jvm-arg", "-XX:+UseSerialGC"});
        assertThat(options.measures("limit")).isTrue();
        assertThat(options.measures("latency")).isFalse();
        // a contender's name without a setting is every setting's row of it
        assertThat(Lineup.of(options).entries()).containsExactly(new Entry(LOGINPIPE_1, DEFAULTS),
                new Entry(LOGINPIPE_1, OPTIONS));
        assertThat(options.streamsJvmArgs()).containsExactly("-XX:+UseSerialGC");
    }

    @Test
    void withoutOptionsEveryContenderRunsUnderBothSettings() throws Exception {
        BenchOptions options = BenchOptions.parse(new String[] {"--quick"});
        assertThat(Lineup.of(options).entries()).containsExactly(
                new Entry(LOGINPIPE_1, DEFAULTS), new Entry(LOGINPIPE_3, DEFAULTS),
                new Entry(STREAMS_DEFAULTS, DEFAULTS), new Entry(STREAMS_TUNED, DEFAULTS),
                new Entry(LOGINPIPE_1, OPTIONS), new Entry(LOGINPIPE_3, OPTIONS),
                new Entry(STREAMS_DEFAULTS, OPTIONS), new Entry(STREAMS_TUNED, OPTIONS));
        assertThat(options.measures("limit")).isTrue();
        assertThat(options.measures("latency")).isTrue();
    }

    @Test
    void jvmFlagsChoosesOneSetting() throws Exception {
        assertThat(Lineup.of(BenchOptions.parse(new String[] {"--jvm-flags", "defaults"})).settings())
                .containsExactly(DEFAULTS);
        assertThat(Lineup.of(BenchOptions.parse(new String[] {"--jvm-flags", "options"})).settings())
                .containsExactly(OPTIONS);
        assertThat(Lineup.of(BenchOptions.parse(new String[] {"--jvm-flags", "both"})).settings())
                .containsExactly(DEFAULTS, OPTIONS);
    }

    @Test
    void anUnknownJvmFlagsSettingIsRefused() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--jvm-flags", "jvm.options"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--jvm-flags takes defaults, options or both, got 'jvm.options'");
    }

    @Test
    void onlyTakesOneSettingsRows() throws Exception {
        BenchOptions options = BenchOptions.parse(new String[] {"--only", "loginpipe-1/options,streams-tuned/options"});
        assertThat(Lineup.of(options).entries()).containsExactly(new Entry(LOGINPIPE_1, OPTIONS),
                new Entry(STREAMS_TUNED, OPTIONS));
        assertThat(options.measures("limit")).isFalse();
    }

    @Test
    void bothSidesGetTheSameFlagsThenTheirOwnExtras() throws Exception {
        BenchOptions options = BenchOptions.parse(new String[] {"--consumer-jvm-arg", "-Dside=loginpipe",
                "--streams-jvm-arg", "-Dside=streams"});
        assertThat(DEFAULTS.jvmArgs(options, List.of("-Dside=streams"))).containsExactly("-Xmx128m", "-Dside=streams");
        assertThat(OPTIONS.jvmArgs(options, options.consumerJvmArgs()))
                .containsExactly("-Xmx128m", "@./consumer/jvm.options", "-Dside=loginpipe");
        assertThat(OPTIONS.jvmArgs(options, options.streamsJvmArgs()))
                .containsExactly("-Xmx128m", "@./consumer/jvm.options", "-Dside=streams");
    }

    @Test
    void anUnknownPartIsRefused() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--only", "loginpipe-1,loginpipe-2"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--only takes some of");
    }

    @Test
    void aRowOfASettingNotChosenIsRefused() {
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--jvm-flags", "defaults",
                "--only", "loginpipe-1/options"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--only takes some of [limit, latency, loginpipe-1, loginpipe-3, "
                        + "streams-defaults, streams-tuned, loginpipe-1/defaults, loginpipe-3/defaults, "
                        + "streams-defaults/defaults, streams-tuned/defaults] (with these --jvm-flags)");
    }
}
