package dev.loginpipe.dlq.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Who may sign in to the console and who a request is: accounts from the users file, the shared token for scripts,
 * a name vouched for by the trusted proxy, or, on a loopback console with neither accounts nor token, its one local
 * user. Signing in checks a slow hash, so at most two run at once and guessing is throttled.
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

    /** {@code token} empty: none; {@code showValues}: CONSOLE_SHOW_VALUES, for the token and the local user. */
    public Accounts(Users users, String token, boolean showValues) {
        this.users = users;
        this.tokenDigest = token.isEmpty() ? null : digest(token);
        this.showValues = showValues;
    }

    /** Neither accounts nor a token: the console is open to whoever reaches it (loopback only). */
    public boolean open() {
        return tokenDigest == null && !users.any();
    }

    public Principal local() {
        return new Principal(Principal.LOCAL, Role.ADMIN, !showValues);
    }

    /** The token's principal when {@code token} is the console's token, else null (compared in constant time). */
    public Principal bearer(String token) {
        return tokenDigest != null && MessageDigest.isEqual(tokenDigest, digest(token)) ? tokenPrincipal() : null;
    }

    /** The principal of a session, or null when it is unknown, expired, or its user was removed. */
    public Principal session(String sessionId) {
        Sessions.Holder holder = sessions.use(sessionId);
        if (holder == null) {
            return null;
        }
        if (holder.token()) {
            return tokenPrincipal();
        }
        Users.User user = users.find(holder.name());
        if (user == null) {
            sessions.close(sessionId);
            return null;
        }
        return person(user.name(), user.role());
    }

    /** The user the trusted proxy names: their account's role, or viewer without one; null for a malformed name. */
    public Principal proxied(String name) {
        if (name == null || !Users.NAME.matcher(name).matches()) {
            return null;
        }
        Users.User user = users.find(name);
        return person(name, user == null ? Role.VIEWER : user.role());
    }

    /** Signs in with a name and password, or with the token alone (empty name). */
    public SignIn signIn(String name, String password, String address) throws InterruptedException {
        String who = name.isEmpty() ? Principal.TOKEN : name;
        long wait = throttle.waitSeconds(who, address);
        if (wait > 0) {
            return SignIn.refused(429, "too many failed sign-ins; try again in " + wait + " s");
        }
        boolean ok;
        if (name.isEmpty()) {
            ok = bearer(password) != null;
        } else {
            if (!hashing.tryAcquire(5, TimeUnit.SECONDS)) {
                return SignIn.refused(429, "too many sign-ins at once; try again");
            }
            try {
                Users.User user = Users.NAME.matcher(name).matches() ? users.find(name) : null;
                String hash = user == null || user.passwordHash() == null ? DECOY : user.passwordHash();
                ok = PasswordHash.matches(password.toCharArray(), hash) && hash != DECOY;
            } finally {
                hashing.release();
            }
        }
        if (!ok) {
            throttle.failed(who, address);
            return SignIn.refused(401, name.isEmpty() ? "wrong token" : WRONG);
        }
        throttle.succeeded(who);
        return new SignIn(sessions.open(new Sessions.Holder(who, name.isEmpty())), 204, null);
    }

    public void signOut(String sessionId) {
        sessions.close(sessionId);
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
