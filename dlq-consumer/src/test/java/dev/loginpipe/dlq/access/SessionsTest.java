package dev.loginpipe.dlq.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Sessions end when unused, when old, and when too many are open; a throttled guesser waits its window out. */
class SessionsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Sessions sessions = new Sessions(now::get);
    private final Sessions.Holder ada = new Sessions.Holder("ada", false);

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
            sessions.open(new Sessions.Holder("u" + i, false));
        }
        assertThat(sessions.use(first)).isEqualTo(ada);
        sessions.open(ada);
        assertThat(sessions.use(first)).isNull();
        assertThat(sessions.use(second)).isEqualTo(ada);
        sessions.close(second);
        assertThat(sessions.use(second)).isNull();
    }

    @Test
    void fiveFailuresLockANameAndAnAddressForFifteenMinutes() {
        LoginThrottle throttle = new LoginThrottle(now::get);
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            assertThat(throttle.waitSeconds("ada", "10.0.0.1")).isZero();
            throttle.failed("ada", "10.0.0.1");
            now.addAndGet(60_000);
        }
        assertThat(throttle.waitSeconds("ada", "10.0.0.9")).isEqualTo(600); // the name, from anywhere
        assertThat(throttle.waitSeconds("bob", "10.0.0.1")).isEqualTo(600); // the address, for any name
        assertThat(throttle.waitSeconds("bob", "10.0.0.9")).isZero();
        now.addAndGet(600_000);
        assertThat(throttle.waitSeconds("ada", "10.0.0.1")).isZero();
        throttle.failed("ada", "10.0.0.1");
        assertThat(throttle.waitSeconds("ada", "10.0.0.1")).isEqualTo(60);
        throttle.succeeded("ada");
        assertThat(throttle.waitSeconds("ada", "10.0.0.9")).isZero();
        assertThat(throttle.waitSeconds("bob", "10.0.0.1")).isEqualTo(60); // a success does not reset the address
    }
}
