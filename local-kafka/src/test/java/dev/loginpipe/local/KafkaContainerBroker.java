package dev.loginpipe.local;

import java.time.Duration;

import org.testcontainers.kafka.KafkaContainer;

/**
 * Apache Kafka on a container (the image of docker-compose.cluster.yml), configured like the in-JVM broker, so the
 * tests that run on it prove the same behaviour on the broker users deploy.
 */
public final class KafkaContainerBroker {
    /** Same version as the Kafka clients and the cluster Compose file. */
    public static final String IMAGE = "apache/kafka:4.4.0";

    private KafkaContainerBroker() {
    }

    /** Starts one broker for this JVM, removed when the JVM ends; skips the calling test without Docker. */
    static Broker start(Duration timeout) {
        DockerEnvironment.assumeAvailable();
        KafkaContainer kafka = new KafkaContainer(IMAGE)
                // As KafkaNode: topics only on purpose, and as many coordinator partitions as a real broker.
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "10")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS", "10")
                .withStartupTimeout(timeout);
        kafka.start();
        // Testcontainers' reaper would remove it too, but it may be disabled (TESTCONTAINERS_RYUK_DISABLED).
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::stop));
        String bootstrap = kafka.getBootstrapServers();
        KafkaCluster.awaitServing(bootstrap, 1, timeout);
        return () -> bootstrap;
    }
}
