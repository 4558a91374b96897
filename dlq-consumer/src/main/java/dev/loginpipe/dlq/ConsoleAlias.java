package dev.loginpipe.dlq;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.loginpipe.common.config.Launcher;
import dev.loginpipe.common.config.Service;

/**
 * {@code dlq-consumer.jar console}, kept for one release: the console is its own program, {@code dlq-console.jar},
 * and this runs it (found beside this jar, as in the image, or built in the repository) with the same JVM options,
 * environment and terminal, passes SIGTERM on and exits with its status. The console is not inside this jar, so the
 * command-line tool does not carry a web server.
 */
final class ConsoleAlias {
    private ConsoleAlias() {
    }

    static void run() throws IOException {
        Path jar = consoleJar();
        if (jar == null) {
            throw Launcher.exit(Service.DLQ_CONSUMER, "console: the console is its own program now, "
                    + "'java -jar dlq-console.jar', and no dlq-console.jar was found beside this jar");
        }
        System.err.println("dlq-consumer: 'console' runs " + jar + "; use 'java -jar dlq-console.jar' (this alias "
                + "goes in the next release)");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-jar", jar.toString()));
        Process console = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            console.destroy();
            try {
                console.waitFor(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "sigterm"));
        try {
            System.exit(console.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** dlq-console.jar beside this jar (the image's /app) or in the repository's dlq-console/target; else null. */
    private static Path consoleJar() {
        Path here;
        try {
            here = Path.of(ConsoleAlias.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException e) {
            return null;
        }
        Path dir = here.getParent(); // dlq-consumer.jar's folder, or target/ for target/classes
        for (Path candidate : List.of(dir.resolve("dlq-console.jar"),
                dir.resolve("../../dlq-console/target/dlq-console.jar"))) {
            if (Files.isRegularFile(candidate)) {
                return candidate.normalize();
            }
        }
        return null;
    }
}
