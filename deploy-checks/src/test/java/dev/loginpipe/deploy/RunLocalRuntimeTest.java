package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which JDK and start cache {@code ./run-local.sh} gives the consumers ({@code --runtime}: it starts nothing). */
class RunLocalRuntimeTest {

    /** The JDK named by CONSUMER_JAVA (the build's, a 17 here): no cache yet, so consumer-1 records one; then used. */
    @Test
    void theJdkGivenRecordsItsStartCacheOnceAndThenUsesIt(@TempDir Path dir) throws IOException {
        int feature = Runtime.version().feature();
        String kind = feature >= 25 ? "the AOT cache" : "an AppCDS archive";
        Map<String, String> env = env(dir, System.getProperty("java.home"));

        Repo.Result first = runtime(env);
        Matcher line = Pattern.compile("run-local: consumers on \\S+ \\(Java " + feature + "\\), no start cache yet: "
                + "consumer-1 records " + kind + " into (\\S+) as it stops").matcher(first.output());
        assertThat(line.find()).as(first.output()).isTrue();
        Path cache = Path.of(line.group(1));
        assertThat(cache.getParent()).isEqualTo(dir.resolve("start-cache"));

        Files.writeString(cache, "as if consumer-1 had recorded it");
        assertThat(runtime(env).output()).as("the next run")
                .contains("(Java " + feature + ") with " + kind + " (" + cache + ")");
    }

    /** Without CONSUMER_JAVA: the newest JDK 25 or later in /usr/lib/jvm where there is one, else the java on PATH. */
    @Test
    void withoutConsumerJavaAJdk25IsPreferred(@TempDir Path dir) throws IOException {
        boolean jdk25 = false;
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (var homes = Files.list(jvms)) {
                for (Path home : homes.toList()) {
                    Path release = home.resolve("release");
                    Matcher version = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)")
                            .matcher(Files.exists(release) ? Files.readString(release) : "");
                    jdk25 |= Files.isExecutable(home.resolve("bin/java")) && version.find()
                            && Integer.parseInt(version.group(1)) >= 25;
                }
            }
        }
        String output = runtime(env(dir, "")).output();
        if (jdk25) {
            assertThat(output).containsPattern("run-local: consumers on /usr/lib/jvm/\\S+/bin/java \\(Java \\d+\\), "
                    + "no start cache yet: consumer-1 records the AOT cache");
        } else {
            assertThat(output).contains("run-local: consumers on java (Java ");
        }
    }

    private static Repo.Result runtime(Map<String, String> env) {
        Repo.Result result = Repo.run(Duration.ofMinutes(1), env, List.of("./run-local.sh", "--no-build", "--runtime"));
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result;
    }

    /** A private folder and free ports (the script checks them before it answers), and CONSUMER_JAVA. */
    private static Map<String, String> env(Path dir, String consumerJava) throws IOException {
        Map<String, String> env = new HashMap<>(Map.of("LOCAL_DIR", dir.toString(), "CONSUMER_JAVA", consumerJava));
        for (String port : List.of("LOCAL_KAFKA_PORT", "LOCAL_CONTROLLER_PORT", "CONSOLE_PORT",
                "LOCAL_HTTP_BASE_PORT")) {
            try (ServerSocket socket = new ServerSocket(0)) {
                env.put(port, Integer.toString(socket.getLocalPort()));
            }
        }
        return env;
    }
}
