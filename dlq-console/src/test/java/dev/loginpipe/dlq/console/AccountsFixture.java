package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.loginpipe.dlq.access.PasswordHash;
import dev.loginpipe.dlq.access.Role;
import dev.loginpipe.dlq.access.Users;

/** A users file of a test's own; each user's password is {@link #password(String)}. */
final class AccountsFixture {
    private AccountsFixture() {
    }

    static String password(String name) {
        return name + "-correct-horse";
    }

    /** A new users file with these names and roles. */
    static Path users(Map<String, String> rolesByName) {
        try {
            Path file = Files.createTempDirectory("console-users").resolve("users");
            Users users = Users.load(file);
            for (var entry : rolesByName.entrySet()) {
                users.put(new Users.User(entry.getKey(), Role.ofPerson(entry.getValue()),
                        PasswordHash.hash(password(entry.getKey()).toCharArray())));
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
