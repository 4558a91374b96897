package dev.loginpipe.dlq.console.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Sessions end when unused, when old, and when too many are open. */
class SessionsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Sessions sessions = new Sessions(now::get);
    private final Sessions.Holder ada = new Sessions.Holder("ada", false, "hash");

    @Test
    void aSessionEndsAfterThirtyMinutesUnusedOrTwelveHoursInAll() {
        String id = sessions.open(ada);
        assertThat(id).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(sessions.open(ada));
        now.addAndGet(Sessions.IDLE_MS);
        assertThat(sessions.use(id)).isEqualTo(ada);
        for (long used = Sessions.IDLE_MS; used <= Sessions.MAX_AGE_MS; used += Sessions.IDLE_MS) {
            now.addAndGet(Sessions.IDLE_MS);
            boolean young = used + Sessions.IDLE_MS <= Sessions.MAX_AGE_MS;
            assertThat(sessions.use(id)).as("after %d ms", used + Sessions.IDLE_MS).isEqualTo(young ? ada : null);
        }
        String idle = sessions.open(ada);
        now.addAndGet(Sessions.IDLE_MS + 1);
        assertThat(sessions.use(idle)).isNull();
        assertThat(sessions.use(null)).isNull();
        assertThat(sessions.use("forged")).isNull();
    }

    @Test
    void theOldestSessionGoesWhenTooManyAreOpen() {
        String first = sessions.open(ada);
        String second = sessions.open(ada);
        for (int i = 2; i < Sessions.MAX_SESSIONS; i++) {
            sessions.open(new Sessions.Holder("u" + i, false, "hash"));
        }
        assertThat(sessions.use(first)).isEqualTo(ada);
        sessions.open(ada);
        assertThat(sessions.use(first)).isNull();
        assertThat(sessions.use(second)).isEqualTo(ada);
        sessions.close(second);
        assertThat(sessions.use(second)).isNull();
    }
}
