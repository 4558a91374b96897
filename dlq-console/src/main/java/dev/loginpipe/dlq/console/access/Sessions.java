package dev.loginpipe.dlq.console.access;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Signed-in sessions, kept on the server: the cookie carries a random id (256 bits), never a password or the
 * token. A session ends at logout, after 30 minutes unused, or 12 hours after sign-in; at most 10,000 are kept (the
 * oldest go first). It remembers who signed in and the password hash they signed in against, not their role: a role
 * changed in the users file applies at once, and a password changed there ends their sessions.
 */
public final class Sessions {
    static final long IDLE_MS = 30 * 60_000L;
    static final long MAX_AGE_MS = 12 * 3_600_000L;
    static final int MAX_SESSIONS = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Who a session belongs to: a user's name and the hash they signed in against, or the shared token. */
    public record Holder(String name, boolean token, String passwordHash) {
    }

    private record Session(Holder holder, long openedAt, long usedAt) {
    }

    private final LongSupplier clock;
    private final Map<String, Session> open = new LinkedHashMap<>();

    public Sessions() {
        this(System::currentTimeMillis);
    }

    Sessions(LongSupplier clock) {
        this.clock = clock;
    }

    /** A new session's id. */
    public synchronized String open(Holder holder) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        long now = clock.getAsLong();
        if (open.size() >= MAX_SESSIONS) {
            Iterator<String> oldest = open.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        open.put(id, new Session(holder, now, now));
        return id;
    }

    /** Whose session {@code id} is, or null when it is unknown or has expired; a use extends it. */
    public synchronized Holder use(String id) {
        Session session = id == null ? null : open.get(id);
        if (session == null) {
            return null;
        }
        long now = clock.getAsLong();
        if (now - session.usedAt > IDLE_MS || now - session.openedAt > MAX_AGE_MS) {
            open.remove(id);
            return null;
        }
        open.put(id, new Session(session.holder, session.openedAt, now));
        return session.holder;
    }

    public synchronized void close(String id) {
        if (id != null) {
            open.remove(id);
        }
    }
}
