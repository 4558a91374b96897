package dev.loginpipe.consumer;

import java.util.Properties;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Where the routing loop gets its Kafka clients: the brokers in production, a fault-injecting model in the simulation. */
interface Clients {
    Consumer<byte[], byte[]> consumer();

    /** A new transactional producer, not yet initialised; the same transactional id each time. */
    Producer<byte[], byte[]> producer();

    static Clients kafka(Properties consumerProps, Properties producerProps) {
        return new Clients() {
            @Override
            public Consumer<byte[], byte[]> consumer() {
                return new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }

            @Override
            public Producer<byte[], byte[]> producer() {
                return new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
            }
        };
    }
}
