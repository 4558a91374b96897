package dev.loginpipe.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/** {@code java -jar local-kafka.jar}: a single-node Kafka broker on 127.0.0.1 for laptops, without Docker. */
public final class LocalKafkaMain {
    private static final String USAGE = """
            Usage: java -jar local-kafka.jar [options]
            Runs a real Apache Kafka broker (KRaft, broker and controller in one process) on 127.0.0.1.

              --port N             broker port (default 9092)
              --controller-port N  KRaft controller port (default 9093)
              --data-dir DIR       where the logs live, kept across restarts (default .local/kafka)
              --fresh              delete the data directory before starting
              --set KEY=VALUE      any broker setting, repeatable (e.g. --set num.partitions=3)
              --help               this text

            Prints one line when it accepts connections; stops cleanly on SIGTERM or Ctrl-C.""";

    private LocalKafkaMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = 9092;
        int controllerPort = 9093;
        Path dataDir = Path.of(".local", "kafka");
        boolean fresh = false;
        Map<String, String> overrides = new HashMap<>();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> port = parsePort("--port", args[++i]);
                    case "--controller-port" -> controllerPort = parsePort("--controller-port", args[++i]);
                    case "--data-dir" -> dataDir = Path.of(args[++i]);
                    case "--fresh" -> fresh = true;
                    case "--set" -> {
                        String[] kv = args[++i].split("=", 2);
                        if (kv.length != 2) {
                            throw new IllegalArgumentException("--set expects KEY=VALUE, got '" + args[i] + "'");
                        }
                        overrides.put(kv[0], kv[1]);
                    }
                    case "--help", "-h" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "' (see --help)");
                }
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            usageError("option " + args[args.length - 1] + " needs a value");
        } catch (IllegalArgumentException e) {
            usageError(e.getMessage());
        }
        if (fresh) {
            deleteRecursively(dataDir);
        }
        KafkaCluster cluster = KafkaCluster.create(1, dataDir, List.of(port), List.of(controllerPort), overrides);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.close();
            stopped.countDown();
        }, "local-kafka-shutdown"));
        try {
            cluster.start(Duration.ofSeconds(120));
        } catch (RuntimeException e) {
            System.err.println("local-kafka: the broker did not start: " + rootMessage(e)
                    + " (is port " + port + " or " + controllerPort + " in use?)");
            System.exit(1);
        }
        System.out.println("local-kafka: accepting connections on " + cluster.bootstrapServers()
                + " (data in " + dataDir.toAbsolutePath() + ")");
        stopped.await();
    }

    private static int parsePort(String option, String value) {
        try {
            int port = Integer.parseInt(value);
            if (port > 0 && port < 65536) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " expects a port from 1 to 65535, got '" + value + "'");
    }

    private static void usageError(String message) {
        System.err.println("local-kafka: " + message);
        System.exit(2);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
