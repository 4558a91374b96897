package dev.loginpipe.common.config;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka client settings passed as {@code KAFKA_CLIENT_<NAME>}: {@code KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL} becomes
 * {@code security.protocol=SASL_SSL}. Each is checked against Kafka's own definitions at start, and each client gets
 * only the ones it knows.
 */
public final class KafkaClientSettings {
    public static final String PREFIX = "KAFKA_CLIENT_";

    private static final Map<ClientKind, ConfigDef> DEFINITIONS = Map.of(
            ClientKind.CONSUMER, ConsumerConfig.configDef(),
            ClientKind.PRODUCER, ProducerConfig.configDef(),
            ClientKind.ADMIN, AdminClientConfig.configDef());

    /** The three kinds of Kafka client a service may create. */
    public enum ClientKind { CONSUMER, PRODUCER, ADMIN }

    /** A Kafka setting a service sets itself because its guarantees rest on it; another value is refused. */
    public record Pinned(String value, String why) {
    }

    /** The validating consumer's input consumer: exactly once and the fault model rest on these. */
    public static final Map<String, Pinned> ROUTER_CONSUMER = Collections.unmodifiableMap(new TreeMap<>(Map.of(
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, new Pinned("earliest",
                    "a partition without a committed offset is read from its start ('latest' skips records, "
                            + "'none' stalls)"),
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, new Pinned("read_committed",
                    "records of aborted transactions must never be routed"),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, new Pinned("false",
                    "offsets are committed only inside the transactions"),
            ConsumerConfig.GROUP_PROTOCOL_CONFIG, new Pinned("classic",
                    "the KIP-848 'consumer' rebalance protocol is not covered by the router's fault model"))));

    private final Map<String, Object> values;

    private KafkaClientSettings(Map<String, Object> values) {
        this.values = values;
    }

    /** Every {@code KAFKA_CLIENT_*} of the environment, checked; one of {@code pinned} may only repeat its value. */
    public static KafkaClientSettings fromEnvironment(Map<String, String> env, Map<String, Pinned> pinned) {
        Map<String, Object> values = new TreeMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!e.getKey().startsWith(PREFIX) || e.getKey().length() == PREFIX.length()) {
                continue;
            }
            String name = e.getKey().substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            ConfigDef.ConfigKey key = definition(name);
            if (key == null) {
                throw new ConfigException(e.getKey(), "'" + name + "' is not a Kafka consumer, producer or admin setting");
            }
            try {
                Object parsed = ConfigDef.parseType(name, e.getValue(), key.type);
                if (key.validator != null) {
                    key.validator.ensureValid(name, parsed);
                }
            } catch (org.apache.kafka.common.config.ConfigException invalid) {
                String shown = key.type == ConfigDef.Type.PASSWORD ? "" : " '" + e.getValue() + "'";
                throw new ConfigException(e.getKey(), "invalid value" + shown + " for Kafka's " + name
                        + (key.validator != null ? ", expected " + key.validator : ""));
            }
            Pinned fixed = pinned.get(name);
            if (fixed != null && !fixed.value().equalsIgnoreCase(e.getValue().strip())) {
                throw new ConfigException(e.getKey(), "must be " + fixed.value() + " or unset, not '" + e.getValue()
                        + "': " + fixed.why());
            }
            values.put(name, e.getValue());
        }
        return new KafkaClientSettings(values);
    }

    /** The settings that a client of this kind knows (the others are for other clients). */
    public Map<String, Object> forClient(ClientKind kind) {
        Map<String, Object> known = new TreeMap<>(values);
        known.keySet().retainAll(DEFINITIONS.get(kind).names());
        return known;
    }

    /** Every setting with passwords and JAAS configurations masked, for logs and config dumps. */
    public Map<String, String> masked() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((name, value) -> shown.put(name, isSecret(name) ? "[hidden]" : String.valueOf(value)));
        return shown;
    }

    static boolean isSecret(String name) {
        ConfigDef.ConfigKey key = definition(name);
        return (key != null && key.type == ConfigDef.Type.PASSWORD) || name.contains("password")
                || name.contains("jaas") || name.contains("secret");
    }

    private static ConfigDef.ConfigKey definition(String name) {
        for (ConfigDef def : DEFINITIONS.values()) {
            ConfigDef.ConfigKey key = def.configKeys().get(name);
            if (key != null) {
                return key;
            }
        }
        return null;
    }
}
