package dev.loginpipe.bench;

import static dev.loginpipe.bench.Contender.LOGINPIPE_1;
import static dev.loginpipe.bench.Contender.LOGINPIPE_3;
import static dev.loginpipe.bench.Contender.STREAMS_DEFAULTS;
import static dev.loginpipe.bench.Contender.STREAMS_TUNED;
import static dev.loginpipe.bench.JvmFlags.DEFAULTS;
import static dev.loginpipe.bench.JvmFlags.OPTIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** Each side's start cache: written by its training run, then used by every measured start of that side. */
    @Test
    void aStartCacheIsWrittenByTheTrainingRunThenUsed(@TempDir Path jdk) throws Exception {
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25.0.3\"\n");
        Files.createDirectories(jdk.resolve("bin"));
        Files.copy(Path.of(System.getProperty("java.home"), "bin", "java"), jdk.resolve("bin/java"));
        BenchOptions options = BenchOptions.parse(new String[] {"--jdk", jdk.toString(), "--aot"});
        assertThat(options.routerJava()).isEqualTo(jdk.resolve("bin/java"));
        Path file = options.startCache().file(options, Contender.STREAMS_TUNED.side(), OPTIONS);
        assertThat(file).isEqualTo(Path.of(".local/bench/start-cache/streams-options.aot"));
        assertThat(options.startCache().jvmArgs(file, true)).containsExactly("-XX:AOTCacheOutput=" + file);
        assertThat(options.startCache().jvmArgs(file, false)).containsExactly("-XX:AOTCache=" + file);
        BenchOptions cds = BenchOptions.parse(new String[] {"--cds"});
        Path archive = cds.startCache().file(cds, Contender.LOGINPIPE_3.side(), DEFAULTS);
        assertThat(cds.startCache().jvmArgs(archive, true))
                .containsExactly("-XX:ArchiveClassesAtExit=.local/bench/start-cache/loginpipe-defaults.jsa");
        assertThat(cds.startCache().jvmArgs(archive, false))
                .containsExactly("-XX:SharedArchiveFile=.local/bench/start-cache/loginpipe-defaults.jsa");
    }

    @Test
    void theAotCacheNeedsAJdk25() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() < 25, "the harness runs on a JDK 25+");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--aot"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--aot needs a JDK 25 or newer; ");
        assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--jdk", "/no/such/jdk"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--jdk: no /no/such/jdk/bin/java");
    }
}
