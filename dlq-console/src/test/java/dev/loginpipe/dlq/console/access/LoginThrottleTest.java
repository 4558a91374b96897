package dev.loginpipe.dlq.console.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** Guessing slows the guesser at one name from one address, not the named user elsewhere nor their neighbours. */
class LoginThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final LoginThrottle throttle = new LoginThrottle(now::get);

    /** Before, five failures locked the name from everywhere and the address for every name, for 15 minutes. */
    @Test
    void failuresAtANameFromAnAddressSlowOnlyThatPair() {
        for (int i = 0; i < 10; i++) {
            now.addAndGet(throttle.waitSeconds("ada", "10.0.0.1") * 1000);
            throttle.failed("ada", "10.0.0.1");
        }
        assertThat(throttle.waitSeconds("ada", "10.0.0.1")).isEqualTo(128);
        assertThat(throttle.waitSeconds("ada", "10.0.0.9")).isZero(); // ada from elsewhere
        assertThat(throttle.waitSeconds("bob", "10.0.0.1")).isZero(); // bob behind the same proxy
    }

    @Test
    void eachFailureAfterTheThirdDoublesTheWaitUpToFifteenMinutes() {
        long[] waits = new long[16];
        for (int i = 0; i < waits.length; i++) {
            throttle.failed("ada", "10.0.0.1");
            waits[i] = throttle.waitSeconds("ada", "10.0.0.1");
            now.addAndGet(waits[i] * 1000);
        }
        assertThat(waits).containsExactly(0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900);
        throttle.succeeded("ada", "10.0.0.1");
        assertThat(throttle.waitSeconds("ada", "10.0.0.1")).isZero();
        for (int i = 0; i < 5; i++) {
            throttle.failed("ada", "10.0.0.1");
        }
        now.addAndGet(LoginThrottle.FORGET_MS);
        throttle.failed("ada", "10.0.0.1");
        assertThat(throttle.waitSeconds("ada", "10.0.0.1")).as("forgotten an hour after the last").isZero();
    }

    @Test
    void sixtyFailuresAMinuteInAllMakeEveryoneWaitForTheMinuteToPass() {
        for (int i = 0; i < LoginThrottle.GLOBAL_MAX; i++) {
            throttle.failed("ada", "10.0." + i / 256 + "." + i % 256);
            now.addAndGet(500);
        }
        assertThat(throttle.waitSeconds("bob", "192.0.2.1")).isEqualTo(30);
        now.addAndGet(500);
        assertThat(throttle.waitSeconds("bob", "192.0.2.1")).isEqualTo(30);
        now.addAndGet(29_500);
        assertThat(throttle.waitSeconds("bob", "192.0.2.1")).isZero();
    }
}
