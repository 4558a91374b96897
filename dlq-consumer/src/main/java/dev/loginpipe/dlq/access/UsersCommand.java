package dev.loginpipe.dlq.access;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code dlq-consumer.jar user}: adds an account, sets its role or password, removes it, lists them. The password is
 * asked twice on a terminal, or read as the first line of standard input (for scripts); it is never an argument,
 * where {@code ps} and shell histories would show it.
 */
public final class UsersCommand {
    static final int MIN_PASSWORD = 12;

    /** A command that cannot be done; the message says why. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message);
        }
    }

    private UsersCommand() {
    }

    public static String list(Users users) {
        StringBuilder out = new StringBuilder();
        for (Users.User u : users.all()) {
            out.append(String.format("%-40s %-8s %s%n", u.name(), u.role().label(),
                    u.passwordHash() == null ? "proxy only" : "password"));
        }
        return out.isEmpty() ? "no accounts yet" + System.lineSeparator() : out.toString();
    }

    /**
     * Creates {@code name} with {@code role} (asking for a password unless {@code proxyOnly}), or gives an existing
     * account the role, and a new password when {@code newPassword}.
     */
    public static String put(Users users, String name, String role, boolean newPassword, boolean proxyOnly)
            throws IOException {
        if (!Users.NAME.matcher(name).matches() || Users.reserved(name)) {
            throw new Refused("--name: 1 to 40 letters, digits, '.', '_', '@' or '-', starting with a letter or "
                    + "digit, and not 'token' or 'local'");
        }
        Role chosen = Role.ofPerson(role);
        if (chosen == null) {
            throw new Refused("--role: viewer, operator or admin");
        }
        Users.User old = users.find(name);
        String hash = null;
        if (proxyOnly) {
            hash = "";
        } else if (old == null || newPassword) {
            char[] password = readPassword(name);
            try {
                hash = PasswordHash.hash(password);
            } finally {
                Arrays.fill(password, '\0');
            }
        }
        users.put(new Users.User(name, chosen, hash));
        return (old == null ? "added " : "updated ") + name + " as " + chosen.label()
                + (proxyOnly ? " (signs in through the trusted proxy only)" : "") + System.lineSeparator();
    }

    public static String remove(Users users, String name) throws IOException {
        if (!users.remove(name)) {
            throw new Refused("--name: no account " + name);
        }
        return "removed " + name + "; their sessions end with their next request" + System.lineSeparator();
    }

    private static char[] readPassword(String name) throws IOException {
        Console console = System.console();
        char[] password;
        if (console != null) {
            password = console.readPassword("password for %s: ", name);
            char[] again = console.readPassword("again: ");
            if (password == null || !Arrays.equals(password, again)) {
                throw new Refused("the two passwords differ");
            }
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password.length < MIN_PASSWORD) {
            throw new Refused("a password has " + MIN_PASSWORD + " characters or more");
        }
        return password;
    }
}
