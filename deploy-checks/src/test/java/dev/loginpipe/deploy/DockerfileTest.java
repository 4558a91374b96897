package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** What can be checked of the image without a Docker engine. */
class DockerfileTest {
    private final String dockerfile = Repo.read("Dockerfile");

    /** The dependency-cache layer builds the reactor from the poms alone: it needs every module's pom. */
    @Test
    void cacheLayerCopiesEveryModulePom() {
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(Repo.read("pom.xml"));
        while (module.find()) {
            assertThat(dockerfile).contains("COPY " + module.group(1) + "/pom.xml " + module.group(1) + "/");
        }
    }

    @Test
    void runtimeIsNonRootWithHealthCheckAndTheThreeJars() {
        assertThat(dockerfile).contains("FROM eclipse-temurin:25-jre", "USER 10001", "HEALTHCHECK", "/health/ready",
                "MaxRAMPercentage", "consumer.jar", "producer.jar", "dlq-consumer.jar", "dlq-console.jar", "VOLUME /tmp");
        assertThat(Repo.read(".dockerignore")).contains("**/target", ".local", ".env");
    }

    /** The consumer's AOT cache is trained at build time with the jar where it runs, and every launcher uses it. */
    @Test
    void consumerAotCacheIsTrainedAtBuildTimeAndNamedInTheOptionsFile() {
        assertThat(dockerfile).contains("train-aot-cache.sh /tmp/local-kafka.jar /app /app/consumer.aot",
                "echo \"-XX:AOTCache=/app/consumer.aot\" >> /app/consumer.jvm.options",
                "-pl consumer,producer,dlq-consumer,dlq-console,local-kafka -am package");
        // training runs after the jars, the topic script and the options file are in /app
        assertThat(dockerfile.indexOf("train-aot-cache.sh")).isGreaterThan(dockerfile.indexOf("consumer.jvm.options"));
    }
}
