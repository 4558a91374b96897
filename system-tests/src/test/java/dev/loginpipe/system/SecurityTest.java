package dev.loginpipe.system;

import static dev.loginpipe.system.SecureBroker.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.loginpipe.consumer.ConsumerMain;
import dev.loginpipe.dlq.DlqMain;
import dev.loginpipe.producer.ProducerMain;
import org.junit.jupiter.api.Test;

/**
 * The three services against a broker that accepts only TLS and SCRAM-SHA-512 logins, configured by
 * {@code KAFKA_CLIENT_*} variables alone; and whatever they print, the secrets in those variables are not in it.
 */
class SecurityTest {
    private static final int EVENTS = 300;
    private static final Duration FAIL_FAST = Duration.ofSeconds(30);

    private final SecureBroker broker = SecureBroker.shared();
    private final Pipeline pipeline = new Pipeline(broker.internalBootstrapServers());

    @Test
    void producerConsumerAndDlqReportDoTheirJobOverTlsAndScram() {
        try (ServiceProcess consumer = ServiceProcess.start(ConsumerMain.class, env("router-1", ADMIN));
             ServiceProcess producer = ServiceProcess.start(ProducerMain.class, producerEnv(ADMIN))) {
            assertThat(producer.awaitExit(Duration.ofSeconds(60))).as(producer.output()).isZero();
            int deadLettered = pipeline.assertExactlyOnce(EVENTS);
            assertThat(deadLettered).isPositive();
            assertThat(consumer.stop()).as(consumer.output()).isZero();

            try (ServiceProcess report = ServiceProcess.start(DlqMain.class, env("dlq-1", ADMIN), "report", "--json")) {
                assertThat(report.awaitExit(Duration.ofSeconds(60))).as(report.output()).isZero();
                assertThat(report.output()).contains("\"total\":" + deadLettered);
                assertNoSecretIn(List.of(consumer, producer, report));
            }
            // The settings dump at start names every Kafka client setting, with the secret ones masked.
            assertThat(consumer.output()).contains("settings: ", "KAFKA_CLIENT_SASL_JAAS_CONFIG=[hidden]",
                    "KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD=[hidden]");
        }
    }

    @Test
    void aWrongPasswordFailsFastWithAnAuthenticationError() {
        String wrong = SecureBroker.newPassword();
        try (ServiceProcess consumer = ServiceProcess.start(ConsumerMain.class, env("router-2", ADMIN, wrong));
             ServiceProcess producer = ServiceProcess.start(ProducerMain.class, producerEnv(ADMIN, wrong));
             ServiceProcess report = ServiceProcess.start(DlqMain.class, env("dlq-2", ADMIN, wrong), "report")) {
            for (ServiceProcess service : List.of(consumer, producer, report)) {
                assertThat(service.awaitExit(FAIL_FAST)).as(service.output()).isEqualTo(1);
                assertThat(service.output()).contains("Authentication failed");
            }
            assertNoSecretIn(List.of(consumer, producer, report), wrong);
        }
    }

    @Test
    void helpShowsNoSecret() {
        try (ServiceProcess consumer = ServiceProcess.start(ConsumerMain.class, env("router-3", ADMIN), "--help");
             ServiceProcess producer = ServiceProcess.start(ProducerMain.class, producerEnv(ADMIN), "--help");
             ServiceProcess dlq = ServiceProcess.start(DlqMain.class, env("dlq-3", ADMIN), "--help")) {
            for (ServiceProcess service : List.of(consumer, producer, dlq)) {
                assertThat(service.awaitExit(FAIL_FAST)).as(service.output()).isZero();
                assertThat(service.output()).contains("KAFKA_CLIENT_");
            }
            assertNoSecretIn(List.of(consumer, producer, dlq));
        }
    }

    private Map<String, String> env(String instance, String user) {
        return env(instance, user, broker.password(user));
    }

    private Map<String, String> env(String instance, String user, String password) {
        Map<String, String> env = new HashMap<>(pipeline.env(instance));
        env.putAll(broker.clientEnv(user, password));
        return env;
    }

    private Map<String, String> producerEnv(String user) {
        return producerEnv(user, broker.password(user));
    }

    /** A fixed run: EVENTS events as fast as possible, a share of them invalid, so some go to the DLQ. */
    private Map<String, String> producerEnv(String user, String password) {
        Map<String, String> env = env("producer-1", user, password);
        env.putAll(Map.of("EVENT_COUNT", Integer.toString(EVENTS), "EVENTS_PER_SECOND", "0",
                "INVALID_RATIO", "0.2", "SEED", "8"));
        return env;
    }

    /** Neither a password (the user's, the trust store's, {@code more}) nor the JAAS setting, in any output. */
    private void assertNoSecretIn(List<ServiceProcess> services, String... more) {
        List<String> secrets = new ArrayList<>(List.of(broker.password(ADMIN),
                SecureBroker.jaasConfig(ADMIN, broker.password(ADMIN)), broker.tls.trustStorePassword(),
                broker.tls.keyStorePassword()));
        for (String secret : more) {
            secrets.add(secret);
            secrets.add(SecureBroker.jaasConfig(ADMIN, secret));
        }
        for (ServiceProcess service : services) {
            assertThat(service.output()).doesNotContain(secrets);
        }
    }
}
