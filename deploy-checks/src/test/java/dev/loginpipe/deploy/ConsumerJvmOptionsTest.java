package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The router's JVM flags live in consumer/jvm.options; every launcher passes that file and spells no flag itself. */
class ConsumerJvmOptionsTest {

    @Test
    void theJvmAcceptsTheFileAndTakesItsFlags() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Repo.Result result = Repo.run(Duration.ofMinutes(1), Map.of(),
                List.of(java, "@consumer/jvm.options", "-XX:+PrintFlagsFinal", "-version"));

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).containsPattern("UseSerialGC +\\= true +\\{product\\} \\{command line\\}")
                .containsPattern("Tier4InvocationThreshold +\\= 20000 +\\{product\\} \\{command line\\}")
                .containsPattern("Tier4BackEdgeThreshold +\\= 160000 +\\{product\\} \\{command line\\}");
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
        assertThat(Repo.read("run-local.sh")).contains("jvm=(@consumer/jvm.options)");
        assertThat(Repo.read("benchmarks/src/main/java/dev/loginpipe/bench/BenchOptions.java"))
                .contains("\"consumer/jvm.options\"");
        for (String launcher : List.of("Dockerfile", "docker-compose.yml", "docker-compose.cluster.yml",
                "run-local.sh", "benchmarks/src/main/java/dev/loginpipe/bench/RouterFleet.java")) {
            assertThat(Repo.read(launcher)).as(launcher).doesNotContain("-XX:+UseSerialGC", "Tier4");
        }
    }
}
