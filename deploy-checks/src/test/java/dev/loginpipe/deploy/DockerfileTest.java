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
        assertThat(dockerfile).contains("FROM eclipse-temurin:17-jre", "USER 10001", "HEALTHCHECK", "/health/ready",
                "MaxRAMPercentage", "consumer.jar", "producer.jar", "dlq-consumer.jar", "dlq-console.jar", "VOLUME /tmp");
        assertThat(Repo.read(".dockerignore")).contains("**/target", ".local", ".env");
    }
}
