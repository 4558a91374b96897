package dev.loginpipe.dlq.access;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's accounts, one per line of {@code CONSOLE_USERS_FILE}: {@code name:role:hash}, the hash a
 * {@link PasswordHash}, or empty for someone who signs in only through the trusted proxy. Read again when the file
 * changes (checked at most once a second), so a role given or taken applies to open sessions. A change that cannot be
 * used never grants anything: a file gone, empty or unreadable leaves no accounts (nobody signs in), and one that does
 * not parse keeps only what both it and the last good file grant; an unreadable or unparsable one is logged and
 * counted.
 */
public final class Users {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-console");
    /** Names fit the trail's who, an HTTP header and a file line: no separators, no spaces, no markup. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,39}");
    private static final long MAX_FILE_BYTES = 1 << 20;
    private static final long CHECK_EVERY_MS = 1_000;

    /** One account; {@code passwordHash} is null for a proxy-only account. */
    public record User(String name, Role role, String passwordHash) {
    }

    private final Path file;
    private volatile Map<String, User> accounts;
    private volatile String stamp;
    private volatile long checkedAt;
    private final AtomicLong rejected = new AtomicLong();

    private Users(Path file, Map<String, User> accounts, String stamp) {
        this.file = file;
        this.accounts = accounts;
        this.stamp = stamp;
    }

    /** No accounts at all (no {@code CONSOLE_USERS_FILE}). */
    public static Users none() {
        return new Users(null, Map.of(), "");
    }

    /** The accounts in {@code file}; a missing file is no accounts yet. Throws with the line that does not parse. */
    public static Users load(Path file) throws IOException {
        return new Users(file, read(file), stampOf(file));
    }

    public boolean any() {
        refresh();
        return !accounts.isEmpty();
    }

    /** How many times the file changed into one that cannot be read or does not parse. */
    public long rejectedReads() {
        return rejected.get();
    }

    /** The console's name for the shared token's principal in the trail. */
    public static final String TOKEN = "token";
    /** The console's name for the one person at a loopback console without accounts or token. */
    public static final String LOCAL = "local";

    /** The console's own names for the token and its local user, in any case: nobody may pass for them. */
    public static boolean reserved(String name) {
        return name.equalsIgnoreCase(TOKEN) || name.equalsIgnoreCase(LOCAL);
    }

    public User find(String name) {
        refresh();
        return accounts.get(name);
    }

    /** Every account, in file order. */
    public List<User> all() {
        refresh();
        return List.copyOf(accounts.values());
    }

    /** Writes {@code user} in place of any account of that name (null hash: keeps the one it had; empty: none). */
    public void put(User user) throws IOException {
        Map<String, User> next = new LinkedHashMap<>(read(file));
        User old = next.get(user.name());
        String hash = user.passwordHash() == null ? (old == null ? null : old.passwordHash())
                : user.passwordHash().isEmpty() ? null : user.passwordHash();
        next.put(user.name(), new User(user.name(), user.role(), hash));
        write(next);
    }

    /** Removes an account; false when there was none. */
    public boolean remove(String name) throws IOException {
        Map<String, User> next = new LinkedHashMap<>(read(file));
        if (next.remove(name) == null) {
            return false;
        }
        write(next);
        return true;
    }

    private synchronized void refresh() {
        long now = System.currentTimeMillis();
        if (file == null || now - checkedAt < CHECK_EVERY_MS) {
            return;
        }
        checkedAt = now;
        String current = stampOrEmpty();
        if (current.equals(stamp)) {
            return;
        }
        stamp = current;
        try {
            accounts = read(file, true);
        } catch (IllegalArgumentException doesNotParse) {
            rejected.incrementAndGet();
            LOG.warn("{} does not parse ({}): only what it and the last good file both grant is kept", file,
                    doesNotParse.getMessage());
            try {
                accounts = common(accounts, read(file, false));
            } catch (IOException | IllegalArgumentException e) {
                accounts = Map.of();
            }
        } catch (IOException e) {
            rejected.incrementAndGet();
            LOG.warn("{} cannot be read ({}): nobody signs in until it can", file, e.getMessage());
            accounts = Map.of();
        }
    }

    /** The accounts in both: each with the lesser role, and its password only where both have the same hash. */
    private static Map<String, User> common(Map<String, User> before, Map<String, User> now) {
        Map<String, User> kept = new LinkedHashMap<>();
        for (User was : before.values()) {
            User is = now.get(was.name());
            if (is != null) {
                kept.put(was.name(), new User(was.name(), was.role().compareTo(is.role()) <= 0 ? was.role() : is.role(),
                        Objects.equals(was.passwordHash(), is.passwordHash()) ? was.passwordHash() : null));
            }
        }
        return Collections.unmodifiableMap(kept);
    }

    private String stampOrEmpty() {
        try {
            return stampOf(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static String stampOf(Path file) throws IOException {
        return Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() + "/" + Files.size(file) : "absent";
    }

    static Map<String, User> read(Path file) throws IOException {
        return read(file, true);
    }

    /** Strict: a line that does not parse throws, naming it; else such lines are skipped. */
    private static Map<String, User> read(Path file, boolean strict) throws IOException {
        if (!Files.exists(file)) {
            return Map.of();
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("larger than " + MAX_FILE_BYTES + " bytes");
        }
        Map<String, User> users = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(":", -1);
            String problem = parts.length < 2 || parts.length > 3 ? "expected name:role:hash"
                    : !NAME.matcher(parts[0]).matches() ? "a name is 1 to 40 letters, digits, '.', '_', '@' or '-'"
                    : reserved(parts[0]) ? parts[0] + " is the console's own name for the token or its local user"
                    : Role.ofPerson(parts[1]) == null ? "the role is viewer, operator or admin"
                    : parts.length == 3 && !parts[2].isEmpty() && !PasswordHash.wellFormed(parts[2])
                            ? "the hash is not one 'dlq-consumer.jar user' wrote (PBKDF2-SHA256, "
                                    + PasswordHash.MIN_ITERATIONS + " iterations or more)"
                    : users.containsKey(parts[0]) ? "a second line for " + parts[0] : null;
            if (problem != null && strict) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + problem);
            }
            if (problem != null) {
                continue;
            }
            String hash = parts.length == 3 && !parts[2].isEmpty() ? parts[2] : null;
            users.put(parts[0], new User(parts[0], Role.ofPerson(parts[1]), hash));
        }
        return Collections.unmodifiableMap(users);
    }

    /** Replaces the file in one step, readable by its owner only: it holds password hashes. */
    private void write(Map<String, User> users) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# DLQ console accounts: name:role:hash (written by 'dlq-consumer.jar user'; empty hash: proxy only)");
        users.values().forEach(u -> lines.add(u.name() + ":" + u.role().label() + ":"
                + (u.passwordHash() == null ? "" : u.passwordHash())));
        Path parent = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(parent, ".users", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the directory's permissions apply
            }
            Files.write(temp, lines, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        accounts = Collections.unmodifiableMap(new LinkedHashMap<>(users));
        stamp = stampOf(file);
    }
}
