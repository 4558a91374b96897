package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** {@code dlq-consumer.jar console} still runs the console, now {@code dlq-console.jar}, for one release. */
class ConsoleAliasTest {
    @Test
    void theOldCommandRunsTheConsolesJarWithTheSameEnvironmentAndPassesItsExitStatusOn() {
        assertThat(Repo.file("dlq-console/target/dlq-console.jar")).as("built (mvn -B -q install -DskipTests)")
                .isRegularFile();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Refused before it connects to anything: off loopback without accounts (exit 2, its one line).
        Repo.Result refused = Repo.run(Duration.ofMinutes(1), Map.of("BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "CONSOLE_BIND", "0.0.0.0", "CONSOLE_PORT", "0", "HTTP_PORT", "0", "CONSOLE_USERS_FILE", "",
                "CONSOLE_TOKEN", "", "CONSOLE_TRUSTED_PROXY", ""),
                List.of(java, "-jar", "dlq-consumer/target/dlq-consumer.jar", "console"));
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(2);
        assertThat(refused.output()).contains("use 'java -jar dlq-console.jar'")
                .contains("dlq-console: CONSOLE_USERS_FILE: accounts (or CONSOLE_TOKEN) are required");
    }
}
