package dev.loginpipe.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A real Apicurio Registry ({@value #VERSION}, in-memory storage) for tests, like {@link TestKafka} for the broker:
 * {@link #shared()} is one instance per test JVM, {@link #start()} one that the test stops and restarts. It runs from
 * the {@code io.apicurio:apicurio-registry-app:tar.gz:all} that Maven put in the local repository (local-kafka's pom
 * declares it), unpacked once into the temporary directory, on a JDK 21 or later found at run time
 * ({@code REGISTRY_JAVA} or {@code JAVA21_HOME}, this JVM, or {@code /usr/lib/jvm/*}); without one the tests that
 * need it are skipped with one line saying so. Its HTTP port and management port are free ports; killed on exit.
 */
public final class TestRegistry implements AutoCloseable {
    public static final String VERSION = "3.3.3";
    /** Where the registry speaks the Confluent Schema Registry API. */
    public static final String CCOMPAT_PATH = "/apis/ccompat/v7";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static TestRegistry shared;

    private final Path java;
    private final Path app;
    private final int port;
    private final int managementPort;
    private Process process;

    private TestRegistry(Path java, Path app, int port, int managementPort) {
        this.java = java;
        this.app = app;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** One registry per test JVM: tests use subjects of their own. */
    public static synchronized TestRegistry shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /** A registry of the test's own, which it may {@link #stop()} and {@link #restart()}; close it. */
    public static TestRegistry start() {
        Path java = javaHome().map(home -> home.resolve("bin").resolve("java")).orElse(null);
        Assumptions.assumeTrue(java != null, "no JDK 21+ for Apicurio Registry (set REGISTRY_JAVA or JAVA21_HOME)");
        TestRegistry registry = new TestRegistry(java, unpacked(), TestKafka.freePort(), TestKafka.freePort());
        registry.launch();
        Runtime.getRuntime().addShutdownHook(new Thread(registry::stop));
        return registry;
    }

    /** {@code http://127.0.0.1:port/apis/ccompat/v7}: what {@code SCHEMA_REGISTRY_URL} is set to. */
    public String url() {
        return "http://127.0.0.1:" + port + CCOMPAT_PATH;
    }

    /**
     * Registers a JSON schema under {@code subject} and returns its id; each reference is {@code {name, subject,
     * version}}.
     */
    public int register(String subject, String schema, Reference... references) {
        StringBuilder body = new StringBuilder("{\"schemaType\":\"JSON\",\"schema\":").append(quote(schema));
        if (references.length > 0) {
            List<String> items = new ArrayList<>();
            for (Reference r : references) {
                items.add("{\"name\":" + quote(r.name()) + ",\"subject\":" + quote(r.subject()) + ",\"version\":"
                        + r.version() + "}");
            }
            body.append(",\"references\":[").append(String.join(",", items)).append(']');
        }
        body.append('}');
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = send(request);
        Matcher id = Pattern.compile("\"id\"\\s*:\\s*(\\d+)").matcher(response.body());
        if (response.statusCode() != 200 || !id.find()) {
            throw new IllegalStateException("registering under " + subject + ": HTTP " + response.statusCode()
                    + " " + response.body());
        }
        return Integer.parseInt(id.group(1));
    }

    /** Sets the subject's compatibility rule ({@code BACKWARD}, {@code NONE}, ...). */
    public void compatibility(String subject, String level) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/config/" + subject))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":" + quote(level) + "}"))
                .timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("setting " + subject + "'s compatibility: HTTP " + response.statusCode()
                    + " " + response.body());
        }
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A schema reference as the Confluent API spells it. */
    public record Reference(String name, String subject, int version) {
    }

    /** Kills the registry (its in-memory storage is lost). */
    public synchronized void stop() {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Starts it again on the same ports, empty. */
    public synchronized void restart() {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void launch() {
        try {
            Path log = Files.createTempFile("apicurio-registry-", ".log");
            process = new ProcessBuilder(java.toString(), "-Xmx384m", "-Dquarkus.http.port=" + port,
                    "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.management.port=" + managementPort,
                    "-Dquarkus.management.host=127.0.0.1", "-jar", app.resolve("quarkus-run.jar").toString())
                    .directory(app.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!answers()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    stop();
                    throw new IllegalStateException("Apicurio Registry did not start; see " + log);
                }
                Thread.sleep(200);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean answers() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                    .timeout(Duration.ofSeconds(2)).build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The app unpacked once per machine into the temporary directory (atomically: JVMs may race). */
    private static Path unpacked() {
        Path target = Path.of(System.getProperty("java.io.tmpdir"), "loginpipe-apicurio-registry-" + VERSION);
        if (Files.isRegularFile(target.resolve("quarkus-run.jar"))) {
            return target;
        }
        Path archive = localRepository().resolve(Path.of("io", "apicurio", "apicurio-registry-app", VERSION,
                "apicurio-registry-app-" + VERSION + "-all.tar.gz"));
        Assumptions.assumeTrue(Files.isRegularFile(archive), "Apicurio Registry " + VERSION + " is not in the local "
                + "Maven repository (" + archive + "): build local-kafka once with Maven online");
        try {
            Path partial = Files.createTempDirectory(target.getParent(), "apicurio-unpacking-");
            Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", partial.toString())
                    .redirectErrorStream(true).start();
            String output = new String(tar.getInputStream().readAllBytes());
            if (tar.waitFor() != 0) {
                throw new IllegalStateException("unpacking " + archive + " failed: " + output);
            }
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                deleteTree(partial); // another JVM unpacked it first
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path localRepository() {
        String configured = System.getProperty("maven.repo.local");
        return configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * A JDK of version 21 or later: {@code REGISTRY_JAVA} or {@code JAVA21_HOME} (a JDK home) when set, else this
     * JVM if it is one, else the newest under {@code /usr/lib/jvm}. Empty when there is none.
     */
    public static Optional<Path> javaHome() {
        for (String variable : List.of("REGISTRY_JAVA", "JAVA21_HOME")) {
            String home = System.getenv(variable);
            if (home != null && !home.isBlank()) {
                return Optional.of(Path.of(home)).filter(h -> major(h) >= 21);
            }
        }
        Path self = Path.of(System.getProperty("java.home"));
        if (Runtime.version().feature() >= 21) {
            return Optional.of(self);
        }
        try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
            return homes.filter(h -> major(h) >= 21 && Files.isExecutable(h.resolve("bin").resolve("java")))
                    .max(Comparator.comparingInt(TestRegistry::major));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The feature version a JDK home's {@code release} file states, or 0. */
    private static int major(Path home) {
        Properties release = new Properties();
        try (var in = Files.newBufferedReader(home.resolve("release"))) {
            release.load(in);
            String version = release.getProperty("JAVA_VERSION", "\"0\"").replace("\"", "");
            return Integer.parseInt(version.split("[.+-]")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }


    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
