package dev.loginpipe.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Whether a Docker engine answers, asked once per JVM through Testcontainers. Tests that need one are skipped
 * with the reason where none does ({@code @ExtendWith(DockerEnvironment.class)}, or {@link #assumeAvailable()}),
 * never failed: these machines and CI have no engine.
 */
public final class DockerEnvironment implements ExecutionCondition {
    private static Optional<String> missing;

    /** Empty when an engine answers; otherwise why not, starting with "no Docker environment". */
    public static synchronized Optional<String> missing() {
        if (missing == null) {
            missing = probe();
            missing.ifPresent(reason -> System.err.println("docker-tests: skipped, " + reason));
        }
        return missing;
    }

    /** Aborts the calling test (reported as skipped, with the reason) when no engine answers. */
    public static void assumeAvailable() {
        missing().ifPresent(Assumptions::abort);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return missing().map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("a Docker engine answers"));
    }

    private static Optional<String> probe() {
        String reason;
        try {
            // What isDockerAvailable() asks, keeping Testcontainers' message (the strategies it tried are in its log).
            DockerClientFactory.instance().client();
            return Optional.empty();
        } catch (RuntimeException e) {
            reason = e.getMessage();
        }
        String host = System.getenv("DOCKER_HOST");
        return Optional.of("no Docker environment: " + reason + " (DOCKER_HOST "
                + (host == null ? "unset" : host) + ", /var/run/docker.sock "
                + (Files.exists(Path.of("/var/run/docker.sock")) ? "present" : "absent")
                + "); run these tests where Docker runs: mvn -B verify -Pdocker");
    }
}
