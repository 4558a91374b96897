package dev.loginpipe.dlq.console.access;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import dev.loginpipe.dlq.access.Users;

/**
 * Slows guessing of passwords and the token. Failures count per name and address together, so a guesser slows only
 * their own tries at that name: the same name from elsewhere, and other names from the same address (people behind
 * the same proxy), are not held up. After {@link #FREE_FAILURES} failures each further one doubles the wait, from
 * 1 s up to 15 minutes; a pair's failures are forgotten an hour after its last, or at its next success. On top, at
 * most {@link #GLOBAL_MAX} failures a minute in all: a guesser with many addresses is capped too (while they hold
 * the cap, every sign-in waits for the minute to pass). It remembers at most 10,000 pairs, the least recently used
 * forgotten first.
 */
public final class LoginThrottle {
    static final int FREE_FAILURES = 3;
    static final long MAX_WAIT_MS = 15 * 60_000L;
    static final long FORGET_MS = 60 * 60_000L;
    static final int GLOBAL_MAX = 60;
    static final long GLOBAL_WINDOW_MS = 60_000L;
    private static final int MAX_KEYS = 10_000;

    private record Failures(int count, long last) {
    }

    private final LongSupplier clock;
    private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_KEYS;
        }
    };
    private final Deque<Long> lastMinute = new ArrayDeque<>();

    public LoginThrottle() {
        this(System::currentTimeMillis);
    }

    LoginThrottle(LongSupplier clock) {
        this.clock = clock;
    }

    /** Seconds until {@code name} from {@code address} may try again; 0: now. */
    public synchronized long waitSeconds(String name, String address) {
        long now = clock.getAsLong();
        while (!lastMinute.isEmpty() && now - lastMinute.peekFirst() >= GLOBAL_WINDOW_MS) {
            lastMinute.removeFirst();
        }
        long global = lastMinute.size() < GLOBAL_MAX ? 0 : lastMinute.peekFirst() + GLOBAL_WINDOW_MS - now;
        Failures f = current(key(name, address), now);
        long own = f == null ? 0 : f.last + waitAfter(f.count) - now;
        return (Math.max(0, Math.max(global, own)) + 999) / 1000;
    }

    public synchronized void failed(String name, String address) {
        long now = clock.getAsLong();
        String key = key(name, address);
        Failures f = current(key, now);
        failures.put(key, new Failures(f == null ? 1 : f.count + 1, now));
        lastMinute.addLast(now);
        if (lastMinute.size() > GLOBAL_MAX) {
            lastMinute.removeFirst();
        }
    }

    public synchronized void succeeded(String name, String address) {
        failures.remove(key(name, address));
    }

    private Failures current(String key, long now) {
        Failures f = failures.get(key);
        if (f != null && now - f.last >= FORGET_MS) {
            failures.remove(key);
            return null;
        }
        return f;
    }

    /** 0 for the first free failures, then 1 s, 2 s, 4 s ... up to 15 minutes. */
    static long waitAfter(int count) {
        return count < FREE_FAILURES ? 0 : Math.min(1000L << Math.min(count - FREE_FAILURES, 20), MAX_WAIT_MS);
    }

    /** Names never hold a newline (see {@link Users#NAME}), so no two pairs share a key. */
    private static String key(String name, String address) {
        return name + "\n" + address;
    }
}
