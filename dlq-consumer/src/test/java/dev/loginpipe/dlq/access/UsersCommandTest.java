package dev.loginpipe.dlq.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@code dlq-consumer.jar user}, run as a process: exit codes, what it writes, and what it refuses. */
class UsersCommandTest {
    private record Run(int status, String out, String err) {
    }

    private static Run user(Path file, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "dev.loginpipe.dlq.DlqMain", "user"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        if (file != null) {
            builder.environment().putAll(Map.of("CONSOLE_USERS_FILE", file.toString()));
        }
        Process process = builder.start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), out, err);
    }

    @Test
    void addsChangesListsAndRemovesAccountsInAFileOnlyItsOwnerReads() throws Exception {
        Path file = Files.createTempDirectory("users-command").resolve("users");

        Run added = user(file, "a long enough password\n", "--name", "ada", "--role", "admin");
        Run proxy = user(file, "", "--name", "bob@example.com", "--role", "operator", "--proxy-only");
        Run changed = user(file, "", "--name", "ada", "--role", "viewer");
        Run list = user(file, "", "--list");

        assertThat(added).isEqualTo(new Run(0, "added ada as admin" + System.lineSeparator(), ""));
        assertThat(proxy.status()).isZero();
        assertThat(changed.out()).isEqualTo("updated ada as viewer" + System.lineSeparator());
        assertThat(list.out().lines().map(String::strip).map(l -> l.replaceAll(" +", " ")).toList())
                .containsExactly("ada viewer password", "bob@example.com operator proxy only");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String text = Files.readString(file);
        assertThat(text).doesNotContain("a long enough password").contains("ada:viewer:pbkdf2-sha256$600000$");
        Users users = Users.load(file);
        assertThat(PasswordHash.matches("a long enough password".toCharArray(), users.find("ada").passwordHash()))
                .isTrue();
        assertThat(users.find("bob@example.com").passwordHash()).isNull();
        Run newPassword = user(file, "another long password\n", "--name", "ada", "--role", "viewer", "--password");
        assertThat(newPassword).isEqualTo(new Run(0, "updated ada as viewer" + System.lineSeparator(), ""));
        assertThat(PasswordHash.matches("another long password".toCharArray(), Users.load(file).find("ada")
                .passwordHash())).isTrue();

        assertThat(user(file, "", "--name", "ada", "--remove").out()).startsWith("removed ada");
        assertThat(Users.load(file).all()).extracting(Users.User::name).containsExactly("bob@example.com");
    }

    @Test
    void whatItRefusesExitsTwoWithOneLine() throws Exception {
        Path file = Files.createTempDirectory("users-command").resolve("users");
        Map<String, List<String>> refused = Map.of(
                "dlq-consumer: a password has 12 characters or more", List.of("short\n", "--name", "ada", "--role", "admin"),
                "dlq-consumer: --role: viewer, operator or admin", List.of("", "--name", "ada", "--role", "root"),
                "dlq-consumer: --name: 1 to 40 letters", List.of("", "--name", "token", "--role", "admin"),
                "dlq-consumer: --name: no account ghost", List.of("", "--name", "ghost", "--remove"),
                "dlq-consumer: user: --list, --name N --remove", List.of("", "--list", "--name", "ada"));
        for (var entry : refused.entrySet()) {
            List<String> args = entry.getValue();
            Run run = user(file, args.get(0), args.subList(1, args.size()).toArray(String[]::new));
            assertThat(run.status()).as(args.toString()).isEqualTo(2);
            assertThat(run.err().lines().filter(l -> l.startsWith("dlq-consumer:")).toList()).as(args.toString())
                    .singleElement().satisfies(line -> assertThat(line).startsWith(entry.getKey()));
        }
        Run noFile = user(null, "", "--list");
        assertThat(noFile.status()).isEqualTo(2);
        assertThat(noFile.err()).contains("dlq-consumer: CONSOLE_USERS_FILE: required by the user command");
        assertThat(file).doesNotExist();
    }
}
