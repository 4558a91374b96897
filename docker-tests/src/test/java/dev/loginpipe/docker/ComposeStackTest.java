package dev.loginpipe.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.local.DockerEnvironment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The Compose files started as a user starts them ({@code docker compose up --build}, through Testcontainers and the
 * local {@code docker compose}): every service healthy, a bounded stream of generated events, output + DLQ
 * reconciled with the input record by record, and {@code dlq-consumer report --json} counting the DLQ.
 */
@Tag("docker")
@ExtendWith(DockerEnvironment.class)
class ComposeStackTest {
    /** Long enough (about 100 s at the rate below) for the services to turn healthy while the producer still sends. */
    static final int EVENTS = 4000;
    static final int EVENTS_PER_SECOND = 40;
    static final String INPUT = "user-login";
    static final String OUTPUT = "processed-user-login";
    static final String DLQ = "user-login-dlq";
    static final List<String> LOGINPIPE = List.of("producer", "consumer-1", "consumer-2", "consumer-3", "dlq-consumer");
    static final List<String> SINGLE_BROKER = List.of("zookeeper", "kafka");
    static final List<String> CLUSTER_BROKERS = List.of("kafka-1", "kafka-2", "kafka-3");
    static final Duration HEALTHY_WITHIN = Duration.ofMinutes(5);
    static final Duration ROUTED_WITHIN = Duration.ofMinutes(5);

    @Test
    void singleBrokerStackRoutesEveryEventOnceAndTheReportCountsTheDlq() throws Exception {
        Map<String, String> env = env();
        int kafkaPort = freePort();
        env.put("KAFKA_EXTERNAL_PORT", Integer.toString(kafkaPort)); // the broker's listener for the host
        try (ComposeContainer stack = stack("docker-compose.yml", env, SINGLE_BROKER)) {
            stack.start();
            String bootstrap = "localhost:" + kafkaPort;
            assertTopicCreatorSucceeded(stack);

            Reconciliation result = awaitEveryEventRouted(stack, bootstrap);
            assertReconciled(result);
            assertReportCountsTheDlq(stack, result);
        }
    }

    @Test
    void clusterStackLosesAndDoublesNothingWhenABrokerStopsMidStream() throws Exception {
        // docker-compose.cluster.yml publishes the brokers on the fixed host ports 29092-29094.
        try (ComposeContainer stack = stack("docker-compose.cluster.yml", env(), CLUSTER_BROKERS)) {
            stack.start();
            String bootstrap = "localhost:29092,localhost:29093,localhost:29094";
            assertTopicCreatorSucceeded(stack);

            await().atMost(ROUTED_WITHIN).pollInterval(Duration.ofSeconds(2))
                    .until(() -> Reconciliation.read(bootstrap, INPUT, OUTPUT, DLQ).routed() >= 300);
            ContainerState kafka2 = service(stack, "kafka-2");
            DockerClientFactory.instance().client().stopContainerCmd(kafka2.getContainerId()).exec();
            assertThat(service(stack, "producer").isRunning()).as("the producer still sends: mid-stream").isTrue();

            Reconciliation result = awaitEveryEventRouted(stack, bootstrap);
            assertReconciled(result);
            assertReportCountsTheDlq(stack, result);
            // Two brokers of three are enough: the long-running services end healthy, none waits for kafka-2.
            for (String name : LOGINPIPE.stream().filter(name -> !name.equals("producer")).toList()) {
                await().atMost(Duration.ofMinutes(1)).until(() -> service(stack, name).isHealthy());
            }
        }
    }

    /** The settings of a bounded run, and free host ports for the services' endpoints. */
    static Map<String, String> env() throws IOException {
        Map<String, String> env = new HashMap<>(Map.of(
                "EVENT_COUNT", Integer.toString(EVENTS),
                "EVENTS_PER_SECOND", Integer.toString(EVENTS_PER_SECOND),
                "SEED", "15",
                "LOG_SUMMARY_SECONDS", "10"));
        for (String port : List.of("PRODUCER_HTTP_PORT", "CONSUMER_1_HTTP_PORT", "CONSUMER_2_HTTP_PORT",
                "CONSUMER_3_HTTP_PORT", "DLQ_CONSUMER_HTTP_PORT")) {
            env.put(port, Integer.toString(freePort()));
        }
        return env;
    }

    /** The file's default services (no monitoring or ui profile), built from the Dockerfile, waited on until healthy. */
    private static ComposeContainer stack(String file, Map<String, String> env, List<String> brokers) {
        // The local `docker compose` (not a containerised one): `build: .` and the bind mount of create-topics.sh
        // refer to this checkout.
        ComposeContainer stack = new ComposeContainer(Repo.file(file).toFile())
                .withBuild(true)
                .withPull(false) // `up` pulls the broker images it lacks; loginpipe:latest is built, not pulled
                .withEnv(env)
                .withStartupTimeout(HEALTHY_WITHIN);
        for (String service : concat(brokers, LOGINPIPE)) {
            // Instance names in full: Testcontainers reads "kafka-1" or "consumer-1" as instance 1 of "kafka".
            stack.waitingFor(service + "-1", Wait.forHealthcheck().withStartupTimeout(HEALTHY_WITHIN));
        }
        return stack;
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static ContainerState service(ComposeContainer stack, String name) {
        return stack.getContainerByServiceName(name + "-1")
                .orElseThrow(() -> new AssertionError("no container for service " + name));
    }

    private static void assertTopicCreatorSucceeded(ComposeContainer stack) {
        ContainerState creator = service(stack, "topic-creator");
        assertThat(creator.getCurrentContainerInfo().getState().getExitCodeLong()).as(creator.getLogs()).isZero();
        assertThat(creator.getLogs()).contains("create-topics: done");
    }

    /** Waits until the producer has sent every event and exited 0, and output + DLQ hold as many records. */
    private static Reconciliation awaitEveryEventRouted(ComposeContainer stack, String bootstrap) {
        ContainerState producer = service(stack, "producer");
        await().atMost(ROUTED_WITHIN).pollInterval(Duration.ofSeconds(5)).until(() -> !producer.isRunning());
        assertThat(producer.getCurrentContainerInfo().getState().getExitCodeLong()).as(producer.getLogs()).isZero();
        assertThat(producer.getLogs()).contains("sent " + EVENTS + ", failed 0");
        return await().atMost(ROUTED_WITHIN).pollInterval(Duration.ofSeconds(5))
                .until(() -> Reconciliation.read(bootstrap, INPUT, OUTPUT, DLQ), r -> r.routed() >= EVENTS);
    }

    private static void assertReconciled(Reconciliation result) {
        assertThat(result.input()).as("input records").isEqualTo(EVENTS);
        assertThat(result.missing()).as("input records missing from output and DLQ").isEmpty();
        assertThat(result.duplicated()).as("input records routed more than once").isEmpty();
        assertThat(result.changed()).as("output records whose bytes differ from the input's").isEmpty();
        assertThat(result.routed()).isEqualTo(EVENTS);
        // INVALID_RATIO is 0.05 by default: some, not most, events go to the DLQ.
        assertThat(result.dlq()).isPositive().isLessThan(EVENTS / 5);
    }

    /** `dlq-consumer report --json`, run in the dlq-consumer container, counts what the reconciliation read. */
    private static void assertReportCountsTheDlq(ComposeContainer stack, Reconciliation result) throws Exception {
        ExecResult report = service(stack, "dlq-consumer")
                .execInContainer("java", "-Xmx96m", "-jar", "/app/dlq-consumer.jar", "report", "--json");
        assertThat(report.getExitCode()).as(report.getStderr()).isZero();
        String json = report.getStdout().lines().filter(line -> line.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no JSON in: " + report.getStdout()));
        JsonNode counts = new ObjectMapper().readTree(json);
        assertThat(counts.path("topic").asText()).isEqualTo(DLQ);
        assertThat(counts.path("total").asInt()).isEqualTo(result.dlq());
        Map<String, Integer> byReason = new TreeMap<>();
        counts.path("by_reason").properties().forEach(e -> byReason.put(e.getKey(), e.getValue().asInt()));
        assertThat(byReason).isEqualTo(result.dlqByReason());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
