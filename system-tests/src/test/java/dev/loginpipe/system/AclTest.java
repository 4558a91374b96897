package dev.loginpipe.system;

import static dev.loginpipe.system.Acls.allow;
import static dev.loginpipe.system.SecureBroker.DLQ_READER;
import static dev.loginpipe.system.SecureBroker.ROUTER;
import static dev.loginpipe.system.SecureBroker.SENDER;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.loginpipe.consumer.ConsumerMain;
import dev.loginpipe.dlq.DlqMain;
import dev.loginpipe.producer.ProducerMain;
import org.junit.jupiter.api.Test;

/**
 * Each service as its own principal with only the ACLs the README lists for it (no IDEMPOTENT_WRITE, no cluster
 * rights); and a consumer that may not write to the DLQ says so, is not ready, and skips nothing.
 */
class AclTest {
    private static final int EVENTS = 200;
    private static final String INSTANCE = "router-1";

    private final SecureBroker broker = SecureBroker.shared();
    private final Pipeline pipeline = new Pipeline(broker.internalBootstrapServers());

    @Test
    void consumerWithoutDlqWriteAccessIsNotReadyAndSkipsNothingUntilGranted() {
        Acls.grant(broker.internalBootstrapServers(),
                allow(SENDER, WRITE, TOPIC, pipeline.input),
                allow(ROUTER, READ, TOPIC, pipeline.input),
                allow(ROUTER, WRITE, TOPIC, pipeline.output),
                allow(ROUTER, DESCRIBE_CONFIGS, TOPIC, pipeline.output),
                allow(ROUTER, DESCRIBE_CONFIGS, TOPIC, pipeline.dlq),
                allow(ROUTER, READ, GROUP, pipeline.group),
                allow(ROUTER, WRITE, TRANSACTIONAL_ID, pipeline.transactionalId(INSTANCE)),
                allow(ROUTER, DESCRIBE, TRANSACTIONAL_ID, pipeline.transactionalId(INSTANCE)),
                allow(DLQ_READER, READ, TOPIC, pipeline.dlq),
                allow(DLQ_READER, READ, TOPIC, pipeline.ledger));
        int httpPort = ServiceHttp.freePort();
        Map<String, String> consumerEnv = env(INSTANCE, ROUTER);
        consumerEnv.put("HTTP_PORT", Integer.toString(httpPort));

        try (ServiceProcess producer = ServiceProcess.start(ProducerMain.class, producerEnv());
             ServiceProcess consumer = ServiceProcess.start(ConsumerMain.class, consumerEnv)) {
            assertThat(producer.awaitExit(Duration.ofSeconds(60))).as(producer.output()).isZero();

            await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
                assertThat(consumer.output()).contains("TopicAuthorizationException", pipeline.dlq);
                assertThat(ServiceHttp.status(httpPort, "/health/ready")).isEqualTo(503);
            });
            assertThat(pipeline.readNow(pipeline.dlq)).isEmpty();

            Acls.grant(broker.internalBootstrapServers(), allow(ROUTER, WRITE, TOPIC, pipeline.dlq));
            int deadLettered = pipeline.assertExactlyOnce(EVENTS);
            await().atMost(Duration.ofSeconds(20)).until(() -> ServiceHttp.status(httpPort, "/health/ready") == 200);
            assertThat(consumer.stop()).as(consumer.output()).isZero();
            assertThat(consumer.output()).doesNotContain("cannot read max.message.bytes");

            try (ServiceProcess report = ServiceProcess.start(DlqMain.class, env("dlq-1", DLQ_READER), "report", "--json")) {
                assertThat(report.awaitExit(Duration.ofSeconds(60))).as(report.output()).isZero();
                assertThat(report.output()).contains("\"total\":" + deadLettered);
            }
        }
    }

    private Map<String, String> env(String instance, String user) {
        Map<String, String> env = new HashMap<>(pipeline.env(instance));
        env.putAll(broker.clientEnv(user));
        return env;
    }

    private Map<String, String> producerEnv() {
        Map<String, String> env = env("producer-1", SENDER);
        env.putAll(Map.of("EVENT_COUNT", Integer.toString(EVENTS), "EVENTS_PER_SECOND", "0",
                "INVALID_RATIO", "0.2", "SEED", "9"));
        return env;
    }
}
