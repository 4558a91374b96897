package dev.loginpipe.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import dev.loginpipe.local.DockerEnvironment;
import dev.loginpipe.local.TestKafka;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.opentest4j.TestAbortedException;

/**
 * Runs in every build (not tagged docker): where no Docker engine is, the container tests must be reported as
 * skipped with the reason, never failed and never silently absent. Where an engine is, there is nothing to prove
 * here: -Pdocker runs the tests themselves.
 */
class DockerSkipTest {
    private static final String REASON = "no Docker environment";

    /** Known without asking Testcontainers: no DOCKER_HOST and none of the usual engines' sockets. */
    @BeforeEach
    void onlyWhereDockerIsSurelyAbsent() {
        String home = System.getProperty("user.home");
        String runtime = System.getenv().getOrDefault("XDG_RUNTIME_DIR", "/nonexistent");
        boolean traces = System.getenv("DOCKER_HOST") != null
                || Stream.of("/var/run/docker.sock", home + "/.docker/run/docker.sock",
                                home + "/.colima/default/docker.sock", home + "/.rd/docker.sock",
                                runtime + "/docker.sock", runtime + "/podman/podman.sock")
                        .anyMatch(socket -> Files.exists(Path.of(socket)));
        Assumptions.assumeFalse(traces, "a Docker engine may be here: -Pdocker runs the container tests themselves");
    }

    @Test
    void theProbeSaysThereIsNoDockerAndWhy() {
        assertThat(DockerEnvironment.missing()).hasValueSatisfying(reason -> assertThat(reason)
                .startsWith(REASON + ": ")
                .contains("Could not find a valid Docker environment", "DOCKER_HOST unset",
                        "/var/run/docker.sock absent", "mvn -B verify -Pdocker"));
    }

    /** As -Pdocker runs them (the consumer's tests with DockerEnvironment autodetected, as pom.xml configures). */
    @Test
    void everyContainerTestIsReportedSkippedWithTheReason() {
        List<String> classes = List.of(ImageTest.class.getName(), ComposeStackTest.class.getName(),
                "dev.loginpipe.consumer.ExactlyOnceTest", "dev.loginpipe.consumer.RoutingContractTest");
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(classes.stream().map(DiscoverySelectors::selectClass).toArray(DiscoverySelector[]::new))
                .execute();
        assertThat(results.testEvents().started().count()).as("container tests started").isZero();
        List<Event> skipped = results.containerEvents().skipped().list();
        assertThat(skipped).extracting(e -> e.getTestDescriptor().getLegacyReportingName())
                .containsExactlyInAnyOrderElementsOf(classes);
        assertThat(skipped).allSatisfy(e -> assertThat(e.getPayload(String.class)).hasValueSatisfying(
                reason -> assertThat(reason).startsWith(REASON)));
    }

    /** What the consumer's delivery tests meet with -Dloginpipe.broker=container: an abort, with the reason. */
    @Test
    void theSharedBrokerOnAContainerIsSkippedWithTheReason() {
        String before = System.getProperty(TestKafka.BROKER_PROPERTY);
        System.setProperty(TestKafka.BROKER_PROPERTY, "container");
        try {
            assertThatThrownBy(TestKafka::shared).isInstanceOf(TestAbortedException.class)
                    .hasMessageStartingWith(REASON);
            assertThatThrownBy(() -> TestKafka.cluster(3)).isInstanceOf(TestAbortedException.class)
                    .hasMessageContaining("runs on the in-JVM broker only");
        } finally {
            if (before == null) {
                System.clearProperty(TestKafka.BROKER_PROPERTY);
            } else {
                System.setProperty(TestKafka.BROKER_PROPERTY, before);
            }
        }
    }

    @Test
    void aMisspeltBrokerChoiceFailsInsteadOfTestingSomethingElse() {
        System.setProperty(TestKafka.BROKER_PROPERTY, "contianer");
        try {
            assertThatThrownBy(TestKafka::shared).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("loginpipe.broker=contianer: expected in-jvm or container");
        } finally {
            System.clearProperty(TestKafka.BROKER_PROPERTY);
        }
    }
}
