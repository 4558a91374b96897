package dev.loginpipe.dlq.console.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.loginpipe.dlq.access.PasswordHash;
import dev.loginpipe.dlq.access.Role;
import dev.loginpipe.dlq.access.Users;

/**
 * Who may sign in to the console and who a request is: accounts from the users file, the shared token for scripts,
 * a name vouched for by the trusted proxy, or, on a loopback console with neither accounts nor token, its one local
 * user. Signing in checks a slow hash, so at most two run at once; guessing passwords and the token is throttled.
 * Whether the console is open is decided once, at start: a users file emptied or gone later lets nobody in.
 */
public final class Accounts {
    /** An answer to a sign-in: a new session's id, or the HTTP status and the reason for people. */
    public record SignIn(String sessionId, int status, String refusal) {
        static SignIn refused(int status, String refusal) {
            return new SignIn(null, status, refusal);
        }
    }

    private static final String WRONG = "wrong name or password";
    /** Checked for unknown names too, so that the time taken does not tell which names exist. */
    private static final String DECOY = PasswordHash.hash("decoy".toCharArray());

    private final Users users;
    private final byte[] tokenDigest;
    private final boolean showValues;
    private final Sessions sessions = new Sessions();
    private final LoginThrottle throttle = new LoginThrottle();
    private final Semaphore hashing = new Semaphore(2);
    /** Decided at start; once false, false for good. */
    private volatile boolean open;

    /** A token tried while its address is throttled: answered 429, the token not even compared. */
    public static final class Throttled extends RuntimeException {
        Throttled(long seconds) {
            super("too many failed tries; try again in " + seconds + " s");
        }
    }

    /** {@code token} empty: none; {@code showValues}: CONSOLE_SHOW_VALUES, for the token and the local user. */
    public Accounts(Users users, String token, boolean showValues) {
        this.users = users;
        this.tokenDigest = token.isEmpty() ? null : digest(token);
        this.showValues = showValues;
        this.open = tokenDigest == null && !users.any();
    }

    /**
     * Neither a token nor accounts at start, nor accounts since: the console is open to whoever reaches it (the
     * console allows that on loopback only). Once it has had an account it is never open again, whatever becomes of
     * the users file.
     */
    public boolean open() {
        if (open && users.any()) {
            open = false;
        }
        return open;
    }

    public Principal local() {
        return new Principal(Principal.LOCAL, Role.ADMIN, !showValues);
    }

    /**
     * The token's principal when {@code token} is the console's token, else null (compared in constant time); throws
     * {@link Throttled} while {@code address} must wait after failed tries.
     */
    public Principal bearer(String token, String address) {
        long wait = throttle.waitSeconds(Principal.TOKEN, address);
        if (wait > 0) {
            throw new Throttled(wait);
        }
        if (!isToken(token)) {
            throttle.failed(Principal.TOKEN, address);
            return null;
        }
        throttle.succeeded(Principal.TOKEN, address);
        return tokenPrincipal();
    }

    /** The principal of a session, or null when it is unknown, expired, or its user was removed or has a new password. */
    public Principal session(String sessionId) {
        Sessions.Holder holder = sessions.use(sessionId);
        if (holder == null) {
            return null;
        }
        if (holder.token()) {
            return tokenPrincipal();
        }
        Users.User user = users.find(holder.name());
        if (user == null || !Objects.equals(user.passwordHash(), holder.passwordHash())) {
            sessions.close(sessionId);
            return null;
        }
        return person(user.name(), user.role());
    }

    /**
     * The user the trusted proxy names: their account's role, or viewer without one; null for a malformed name or
     * one of the console's own (token, local), which nobody may pass for in the trail.
     */
    public Principal proxied(String name) {
        if (name == null || !Users.NAME.matcher(name).matches() || Users.reserved(name)) {
            return null;
        }
        Users.User user = users.find(name);
        return person(name, user == null ? Role.VIEWER : user.role());
    }

    /** Signs in with a name and password, or with the token alone (empty name). */
    public SignIn signIn(String name, String password, String address) throws InterruptedException {
        // A malformed name has no account: one key for all of them keeps the throttle's memory small.
        String who = name.isEmpty() ? Principal.TOKEN : Users.NAME.matcher(name).matches() ? name : "?";
        long wait = throttle.waitSeconds(who, address);
        if (wait > 0) {
            return SignIn.refused(429, "too many failed sign-ins; try again in " + wait + " s");
        }
        boolean ok;
        String hash = null;
        if (name.isEmpty()) {
            ok = isToken(password);
        } else {
            if (!hashing.tryAcquire(5, TimeUnit.SECONDS)) {
                return SignIn.refused(429, "too many sign-ins at once; try again");
            }
            try {
                Users.User user = Users.NAME.matcher(name).matches() ? users.find(name) : null;
                hash = user == null || user.passwordHash() == null ? DECOY : user.passwordHash();
                ok = PasswordHash.matches(password.toCharArray(), hash) && hash != DECOY;
            } finally {
                hashing.release();
            }
        }
        if (!ok) {
            throttle.failed(who, address);
            return SignIn.refused(401, name.isEmpty() ? "wrong token" : WRONG);
        }
        throttle.succeeded(who, address);
        return new SignIn(sessions.open(new Sessions.Holder(who, name.isEmpty(), hash)), 204, null);
    }

    public void signOut(String sessionId) {
        sessions.close(sessionId);
    }

    private boolean isToken(String token) {
        return tokenDigest != null && MessageDigest.isEqual(tokenDigest, digest(token));
    }

    private Principal tokenPrincipal() {
        return new Principal(Principal.TOKEN, Role.SCRIPT, !showValues);
    }

    private static Principal person(String name, Role role) {
        return new Principal(name, role, role != Role.ADMIN);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
