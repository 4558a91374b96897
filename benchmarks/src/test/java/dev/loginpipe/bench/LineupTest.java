package dev.loginpipe.bench;

import static dev.loginpipe.bench.Contender.LOGINPIPE_1;
import static dev.loginpipe.bench.Contender.LOGINPIPE_3;
import static dev.loginpipe.bench.Contender.STREAMS_DEFAULTS;
import static dev.loginpipe.bench.Contender.STREAMS_TUNED;
import static dev.loginpipe.bench.JvmFlags.DEFAULTS;
import static dev.loginpipe.bench.JvmFlags.OPTIONS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The order of a round: both settings of a contender side by side, neither setting always first. */
class LineupTest {
    @Test
    void eachRoundInterleavesTheSettingsAndMovesTheFirstContender() throws Exception {
        Lineup lineup = Lineup.of(BenchOptions.parse(new String[0]));
        assertThat(lineup.inRound(1)).containsExactly(
                new Entry(LOGINPIPE_1, DEFAULTS), new Entry(LOGINPIPE_1, OPTIONS),
                new Entry(LOGINPIPE_3, DEFAULTS), new Entry(LOGINPIPE_3, OPTIONS),
                new Entry(STREAMS_DEFAULTS, DEFAULTS), new Entry(STREAMS_DEFAULTS, OPTIONS),
                new Entry(STREAMS_TUNED, DEFAULTS), new Entry(STREAMS_TUNED, OPTIONS));
        assertThat(lineup.inRound(2)).containsExactly(
                new Entry(LOGINPIPE_3, OPTIONS), new Entry(LOGINPIPE_3, DEFAULTS),
                new Entry(STREAMS_DEFAULTS, OPTIONS), new Entry(STREAMS_DEFAULTS, DEFAULTS),
                new Entry(STREAMS_TUNED, OPTIONS), new Entry(STREAMS_TUNED, DEFAULTS),
                new Entry(LOGINPIPE_1, OPTIONS), new Entry(LOGINPIPE_1, DEFAULTS));
    }

    @Test
    void onlyTheChosenEntriesRun() throws Exception {
        Lineup lineup = Lineup.of(BenchOptions.parse(new String[] {"--only", "loginpipe-1,streams-tuned"}));
        assertThat(lineup.inRound(1)).containsExactly(
                new Entry(LOGINPIPE_1, DEFAULTS), new Entry(LOGINPIPE_1, OPTIONS),
                new Entry(STREAMS_TUNED, DEFAULTS), new Entry(STREAMS_TUNED, OPTIONS));
        assertThat(lineup.inRound(2)).containsExactly(
                new Entry(STREAMS_TUNED, OPTIONS), new Entry(STREAMS_TUNED, DEFAULTS),
                new Entry(LOGINPIPE_1, OPTIONS), new Entry(LOGINPIPE_1, DEFAULTS));
        assertThat(lineup.inRound(3)).isEqualTo(lineup.inRound(1));
    }

    @Test
    void oneSettingRotatesLikeBefore() throws Exception {
        Lineup lineup = Lineup.of(BenchOptions.parse(new String[] {"--jvm-flags", "options"}));
        assertThat(lineup.inRound(2)).containsExactly(
                new Entry(LOGINPIPE_3, OPTIONS), new Entry(STREAMS_DEFAULTS, OPTIONS),
                new Entry(STREAMS_TUNED, OPTIONS), new Entry(LOGINPIPE_1, OPTIONS));
    }
}
