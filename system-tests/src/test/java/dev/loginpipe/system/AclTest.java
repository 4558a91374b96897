package dev.loginpipe.system;

import static dev.loginpipe.system.Acls.allow;
import static dev.loginpipe.system.Acls.allowPrefixed;
import static dev.loginpipe.system.SecureBroker.CONSOLE;
import static dev.loginpipe.system.SecureBroker.DLQ_READER;
import static dev.loginpipe.system.SecureBroker.ROUTER;
import static dev.loginpipe.system.SecureBroker.SENDER;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import dev.loginpipe.common.config.Service;
import dev.loginpipe.consumer.ConsumerMain;
import dev.loginpipe.dlq.DlqMain;
import dev.loginpipe.dlq.redrive.Plan;
import dev.loginpipe.dlq.redrive.PlanSpec;
import dev.loginpipe.dlq.redrive.Redrive;
import dev.loginpipe.local.TestKafka;
import dev.loginpipe.producer.ProducerMain;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Each service as its own principal with only the ACLs docs/security.md lists for it (no IDEMPOTENT_WRITE, no cluster
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

    /**
     * The console's ACLs from docs/security.md, on a broker with an authorizer: with them the console runs a plan (its
     * trail, the ledger, the input, its groups and transactional id); the producer's principal, which may write the
     * input, can write neither the audit trail nor the ledger, so nobody but the console can forge an entry or erase
     * a ledger record.
     */
    @Test
    void theAuditTrailAndTheLedgerAreWritableByTheConsoleAlone() throws Exception {
        String audit = TestKafka.uniqueName("audit");
        String replayGroup = TestKafka.uniqueName("replay");
        TestKafka.createTopic(broker.internalBootstrapServers(), audit, 1);
        Acls.grant(broker.internalBootstrapServers(),
                allow(SENDER, WRITE, TOPIC, pipeline.input),
                allow(ROUTER, READ, TOPIC, pipeline.input),
                allow(ROUTER, WRITE, TOPIC, pipeline.output),
                allow(ROUTER, WRITE, TOPIC, pipeline.dlq),
                allow(ROUTER, READ, GROUP, pipeline.group),
                allow(ROUTER, WRITE, TRANSACTIONAL_ID, pipeline.transactionalId(INSTANCE)),
                allow(ROUTER, DESCRIBE, TRANSACTIONAL_ID, pipeline.transactionalId(INSTANCE)),
                allow(CONSOLE, READ, TOPIC, pipeline.dlq),
                allow(CONSOLE, READ, TOPIC, pipeline.output),
                allow(CONSOLE, WRITE, TOPIC, pipeline.input),
                allow(CONSOLE, READ, TOPIC, pipeline.ledger),
                allow(CONSOLE, WRITE, TOPIC, pipeline.ledger),
                allow(CONSOLE, CREATE, TOPIC, pipeline.ledger),
                allow(CONSOLE, READ, TOPIC, audit),
                allow(CONSOLE, WRITE, TOPIC, audit),
                allowPrefixed(CONSOLE, READ, GROUP, replayGroup + "-"),
                allow(CONSOLE, WRITE, TRANSACTIONAL_ID, "loginpipe-dlq-replay-" + pipeline.ledger),
                allow(CONSOLE, DESCRIBE, TRANSACTIONAL_ID, "loginpipe-dlq-replay-" + pipeline.ledger));
        try (ServiceProcess producer = ServiceProcess.start(ProducerMain.class, producerEnv());
             ServiceProcess consumer = ServiceProcess.start(ConsumerMain.class, env(INSTANCE, ROUTER))) {
            assertThat(producer.awaitExit(Duration.ofSeconds(60))).as(producer.output()).isZero();
            pipeline.assertExactlyOnce(EVENTS);
            assertThat(consumer.stop()).as(consumer.output()).isZero();
        }

        Map<String, String> console = env("console-1", CONSOLE);
        console.putAll(Map.of("REDRIVE_AUDIT_TOPIC", audit, "REPLAY_GROUP_ID", replayGroup,
                "REDRIVE_AUDIT_KEY", "acl-test-key-0123456789abcdef0123456789"));
        try (Redrive redrive = Redrive.open(Config.load(Service.DLQ_CONSOLE, console))) {
            Plan plan = redrive.create("ana", new PlanSpec(null, null, null, null, pipeline.input, 1000, 5, 100, 1, null));
            redrive.start("ana", plan.id());
            await().atMost(Duration.ofSeconds(60)).until(() -> plan.state() == Plan.State.FINISHED);
            assertThat(plan.published()).isEqualTo(5);
            assertThat(redrive.verifyAudit().valid()).isTrue();
        }
        assertThat(pipeline.readNow(audit)).hasSize(3); // created, started, finished

        Properties sender = Config.load(Service.PRODUCER, env("forger", SENDER)).kafkaProperties(ClientKind.PRODUCER);
        for (String topic : List.of(audit, pipeline.ledger)) {
            try (KafkaProducer<byte[], byte[]> forger = new KafkaProducer<>(sender, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                assertThatThrownBy(() -> forger.send(new ProducerRecord<>(topic, "forged".getBytes())).get())
                        .as(topic).hasCauseInstanceOf(TopicAuthorizationException.class);
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
