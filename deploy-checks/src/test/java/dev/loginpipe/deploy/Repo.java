package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** The repository's top folder, the external tools the checks use, and a way to run them. */
final class Repo {
    /** Surefire runs in the module folder; the deployment files live one level up. */
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    private Repo() {
    }

    static Path file(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(file(relative));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A tool from Debian's packages. Missing in CI ({@code CI=true}, where .ci/run installs it) fails the test;
     * missing on a laptop skips it, saying what to install.
     */
    static void requireTool(String tool, String debianPackage) {
        boolean found = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
        if (found) {
            return;
        }
        String message = tool + " is not installed (apt-get install -y " + debianPackage + ")";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + "; CI must run every deployment check");
        }
        Assumptions.abort(message + "; skipped outside CI");
    }

    record Result(int exitCode, String output) {
    }

    /** Runs a command in the repository folder, stdout and stderr together, killed after the timeout. */
    static Result run(Duration timeout, Map<String, String> env, List<String> command) {
        try {
            File log = File.createTempFile("deploy-checks", ".log");
            log.deleteOnExit();
            ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
                    .redirectErrorStream(true).redirectOutput(log);
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                List<ProcessHandle> children = process.descendants().toList();
                process.destroy(); // SIGTERM: run-local.sh stops what it started
                process.waitFor(30, TimeUnit.SECONDS);
                children.forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail(command + " did not finish within " + timeout + ":\n" + Files.readString(log.toPath()));
            }
            return new Result(process.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Result run(String... command) {
        return run(Duration.ofMinutes(2), Map.of(), List.of(command));
    }
}
