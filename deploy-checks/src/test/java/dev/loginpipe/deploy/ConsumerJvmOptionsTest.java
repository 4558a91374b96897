package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The router's JVM flags live in consumer/jvm.options; every launcher passes that file and spells no flag itself. */
class ConsumerJvmOptionsTest {

    @Test
    void theJvmTakesEveryFlagOfTheFile() {
        List<String> flags = Repo.read("consumer/jvm.options").lines().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Repo.Result result = Repo.run(Duration.ofMinutes(1), Map.of(),
                List.of(java, "@consumer/jvm.options", "-XX:+PrintFlagsFinal", "-version"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(flags).contains("-XX:+UseSerialGC");
        for (String flag : flags) {
            // -XX:+Name, -XX:-Name or -XX:Name=value; PrintFlagsFinal shows each with its value and where it came from
            Matcher parts = Pattern.compile("-XX:([+-]?)(\\w+)(?:=(.+))?").matcher(flag);
            assertThat(parts.matches()).as(flag + " is a -XX flag").isTrue();
            String value = parts.group(3) != null ? parts.group(3) : parts.group(1).equals("+") ? "true" : "false";
            assertThat(result.output()).as(flag).containsPattern(" " + parts.group(2) + " += " + Pattern.quote(value)
                    + " +\\{[^}]*\\} \\{command line\\}");
        }
    }

    @Test
    void everyLauncherPassesTheFile() {
        String dockerfile = Repo.read("Dockerfile");
        assertThat(dockerfile).contains("COPY consumer/jvm.options consumer.jvm.options",
                "CMD [\"java\", \"@/app/consumer.jvm.options\", \"-jar\", \"/app/consumer.jar\"]");
        for (String compose : List.of("docker-compose.yml", "docker-compose.cluster.yml")) {
            assertThat(Repo.read(compose)).as(compose)
                    .contains("command: [\"java\", \"@/app/consumer.jvm.options\", \"-jar\", \"/app/consumer.jar\"]");
        }
        assertThat(Repo.read("run-local.sh")).contains("jvm=(@consumer/jvm.options \"${consumer_cache[@]}\")");
        assertThat(Repo.read("benchmarks/src/main/java/dev/loginpipe/bench/BenchOptions.java"))
                .contains("\"consumer/jvm.options\"");
        for (String launcher : List.of("Dockerfile", "docker-compose.yml", "docker-compose.cluster.yml",
                "run-local.sh", "benchmarks/src/main/java/dev/loginpipe/bench/RouterFleet.java",
                "benchmarks/src/main/java/dev/loginpipe/bench/JvmFlags.java")) {
            assertThat(Repo.read(launcher)).as(launcher).doesNotContain("-XX:+UseSerialGC", "Tier4");
        }
    }

    /** A reader who copies a command of the README or docs/ runs the router as shipped, not the slower way. */
    @Test
    void theDocsRunTheConsumerWithTheFile() throws Exception {
        // `java ... -jar .../consumer.jar`, not dlq-consumer.jar
        Pattern runsTheConsumer = Pattern.compile("\\bjava\\b.*-jar\\s+\\S*(?<![\\w-])consumer\\.jar");
        List<String> lines = new java.util.ArrayList<>();
        for (Path page : DocsTest.pages()) {
            java.nio.file.Files.readString(page).lines().filter(line -> runsTheConsumer.matcher(line).find())
                    .forEach(lines::add);
        }
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            assertThat(line).contains("@consumer/jvm.options");
        }
    }
}
