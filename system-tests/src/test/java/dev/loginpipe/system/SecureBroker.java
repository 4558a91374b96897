package dev.loginpipe.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.loginpipe.local.KafkaCluster;
import dev.loginpipe.local.SaslSslListener;
import dev.loginpipe.local.TestKafka;

/**
 * One broker per test JVM whose clients must come over TLS and log in with SCRAM-SHA-512, with ACLs enforced.
 * Tests share it with their own topics. Its users, each with a password made for this run:
 * {@link #ADMIN} may do anything; the others may do only what a test grants them.
 */
final class SecureBroker {
    static final String ADMIN = "admin";
    static final String ROUTER = "router";
    static final String SENDER = "sender";
    static final String DLQ_READER = "dlqreader";
    static final String CONSOLE = "console";
    private static SecureBroker shared;

    final TlsFiles tls;
    private final Map<String, String> passwords = new HashMap<>();
    private final KafkaCluster cluster;

    private SecureBroker() {
        try {
            tls = TlsFiles.generate(Files.createTempDirectory("loginpipe-tls-"), newPassword(), newPassword());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String user : List.of(ADMIN, ROUTER, SENDER, DLQ_READER, CONSOLE)) {
            passwords.put(user, newPassword());
        }
        cluster = TestKafka.secured(new SaslSslListener(tls.keyStore(), tls.keyStorePassword(), passwords, List.of(ADMIN)));
    }

    static synchronized SecureBroker shared() {
        if (shared == null) {
            shared = new SecureBroker();
            Runtime.getRuntime().addShutdownHook(new Thread(shared.cluster::close));
        }
        return shared;
    }

    /** The SASL_SSL listener, for the services. */
    String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The plaintext listener where the tests set up topics and ACLs and read the results, as a super user. */
    String internalBootstrapServers() {
        return cluster.internalBootstrapServers();
    }

    String password(String user) {
        return passwords.get(user);
    }

    /** What a service needs to connect as {@code user}: Kafka client settings in the environment, nothing else. */
    Map<String, String> clientEnv(String user, String password) {
        return Map.of(
                "BOOTSTRAP_SERVERS", bootstrapServers(),
                "KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_CLIENT_SASL_JAAS_CONFIG", jaasConfig(user, password),
                "KAFKA_CLIENT_SSL_TRUSTSTORE_TYPE", "PKCS12",
                "KAFKA_CLIENT_SSL_TRUSTSTORE_LOCATION", tls.trustStore().toString(),
                "KAFKA_CLIENT_SSL_TRUSTSTORE_PASSWORD", tls.trustStorePassword());
    }

    Map<String, String> clientEnv(String user) {
        return clientEnv(user, password(user));
    }

    static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Letters and digits only, as the storage formatter wants them; unique, so a test can grep for it. */
    static String newPassword() {
        return "pw" + UUID.randomUUID().toString().replace("-", "");
    }
}
