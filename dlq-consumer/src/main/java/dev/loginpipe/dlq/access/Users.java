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
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's accounts, one per line of {@code CONSOLE_USERS_FILE}: {@code name:role:hash}, the hash a
 * {@link PasswordHash}, or empty for someone who signs in only through the trusted proxy. Read again when the file
 * changes (checked at most once a second), so a role given or taken applies to open sessions; a file that no
 * longer parses leaves the last good accounts in place, with a warning.
 */
public final class Users {
    private static final Logger LOG = LoggerFactory.getLogger("dlq-console");
    /** Names fit the trail's who, an HTTP header and a file line: no separators, no spaces, no markup. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,39}");
    private static final long MAX_FILE_BYTES = 1 << 20;
    private static final long CHECK_EVERY_MS = 1_000;

    /** One account; {@code passwordHash} is null for a proxy-only account. */
    public record User(String name, Role role, String passwordHash) {
    }

    private final Path file;
    private volatile Map<String, User> accounts;
    private volatile String stamp;
    private volatile long checkedAt;

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
        return !accounts.isEmpty();
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

    private void refresh() {
        long now = System.currentTimeMillis();
        if (file == null || now - checkedAt < CHECK_EVERY_MS) {
            return;
        }
        checkedAt = now;
        try {
            String current = stampOf(file);
            if (!current.equals(stamp)) {
                accounts = read(file);
                stamp = current;
            }
        } catch (IOException | IllegalArgumentException e) {
            String current = stampOrEmpty();
            if (!current.equals(stamp)) {
                LOG.warn("{} cannot be read ({}); the accounts read before stay in place", file, e.getMessage());
                stamp = current;
            }
        }
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
                    : parts[0].equals(Principal.TOKEN) || parts[0].equals(Principal.LOCAL)
                            ? parts[0] + " is the console's own name for the token or its local user"
                    : Role.ofPerson(parts[1]) == null ? "the role is viewer, operator or admin"
                    : parts.length == 3 && !parts[2].isEmpty() && !PasswordHash.wellFormed(parts[2])
                            ? "the hash is not one 'dlq-consumer.jar user' wrote"
                    : users.containsKey(parts[0]) ? "a second line for " + parts[0] : null;
            if (problem != null) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + problem);
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
