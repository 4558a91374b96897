package dev.loginpipe.dlq.access;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows password guessing: after 5 failed sign-ins for one name, or from one address, within 15 minutes, that name
 * or address may not try again until the oldest of them is 15 minutes old. It remembers at most 10,000 names and
 * addresses (the least recently failed are forgotten first).
 */
public final class LoginThrottle {
    static final int MAX_FAILURES = 5;
    static final long WINDOW_MS = 15 * 60_000L;
    private static final int MAX_KEYS = 10_000;

    private final LongSupplier clock;
    private final Map<String, Deque<Long>> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Deque<Long>> eldest) {
            return size() > MAX_KEYS;
        }
    };

    public LoginThrottle() {
        this(System::currentTimeMillis);
    }

    LoginThrottle(LongSupplier clock) {
        this.clock = clock;
    }

    /** Seconds until {@code name} from {@code address} may try again; 0: now. */
    public synchronized long waitSeconds(String name, String address) {
        long now = clock.getAsLong();
        return Math.max(wait("name:" + name, now), wait("address:" + address, now));
    }

    public synchronized void failed(String name, String address) {
        long now = clock.getAsLong();
        for (String key : new String[] {"name:" + name, "address:" + address}) {
            Deque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
            times.addLast(now);
            while (times.size() > MAX_FAILURES) {
                times.removeFirst();
            }
        }
    }

    /** A success forgets the name's failures (not the address's: one right password must not reset guessing). */
    public synchronized void succeeded(String name) {
        failures.remove("name:" + name);
    }

    private long wait(String key, long now) {
        Deque<Long> times = failures.get(key);
        if (times == null) {
            return 0;
        }
        while (!times.isEmpty() && now - times.peekFirst() >= WINDOW_MS) {
            times.removeFirst();
        }
        if (times.isEmpty()) {
            failures.remove(key);
            return 0;
        }
        return times.size() < MAX_FAILURES ? 0 : (times.peekFirst() + WINDOW_MS - now + 999) / 1000;
    }
}
