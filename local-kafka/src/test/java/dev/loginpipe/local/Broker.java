package dev.loginpipe.local;

/** A running Kafka that tests reach through its bootstrap servers: in this JVM or on a container. */
@FunctionalInterface
public interface Broker {
    String bootstrapServers();
}
