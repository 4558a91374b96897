package dev.loginpipe.common.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import dev.loginpipe.common.config.KafkaClientSettings.ClientKind;
import org.apache.kafka.clients.CommonClientConfigs;

/** The settings of one service, parsed and checked from the environment before anything connects. */
public final class Config {
    private final Service service;
    private final Map<Setting<?>, Object> values;
    private final Map<Setting<?>, String> texts;
    private final KafkaClientSettings kafkaClient;

    private Config(Service service, Map<Setting<?>, Object> values, Map<Setting<?>, String> texts,
                   KafkaClientSettings kafkaClient) {
        this.service = service;
        this.values = values;
        this.texts = texts;
        this.kafkaClient = kafkaClient;
    }

    /** Parses every setting the service uses; the first bad one throws, naming the variable. */
    public static Config load(Service service, Map<String, String> env) {
        Map<Setting<?>, Object> values = new HashMap<>();
        Map<Setting<?>, String> texts = new LinkedHashMap<>();
        for (Setting<?> setting : Settings.of(service)) {
            String text = env.get(setting.name());
            if (text == null || text.isEmpty()) {
                if (setting.required()) {
                    throw new ConfigException(setting.name(), "required, expected " + setting.type().expected());
                }
                text = setting.defaultValue().get();
            }
            values.put(setting, parse(setting, text));
            texts.put(setting, text);
        }
        return new Config(service, values, texts, KafkaClientSettings.fromEnvironment(env,
                service == Service.CONSUMER ? KafkaClientSettings.ROUTER_CONSUMER : Map.of()));
    }

    private static Object parse(Setting<?> setting, String text) {
        try {
            return setting.type().parser().apply(text);
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            String shown = setting.secret() ? "" : " '" + text + "'";
            String detail = e.getMessage() == null || e instanceof NumberFormatException ? "" : " (" + e.getMessage() + ")";
            throw new ConfigException(setting.name(), "invalid value" + shown + ", expected "
                    + setting.type().expected() + detail);
        }
    }

    public Service service() {
        return service;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        if (!values.containsKey(setting)) {
            throw new IllegalArgumentException(setting.name() + " is not a setting of the " + service.jarName());
        }
        return (T) values.get(setting);
    }

    /** Base properties of a Kafka client: the bootstrap servers and every {@code KAFKA_CLIENT_*} it knows. */
    public Properties kafkaProperties(ClientKind kind) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, get(Settings.BOOTSTRAP_SERVERS));
        props.putAll(kafkaClient.forClient(kind));
        return props;
    }

    /** The effective settings, secrets masked: what a service logs at start. */
    public Map<String, String> describe() {
        Map<String, String> shown = new LinkedHashMap<>();
        texts.forEach((setting, text) -> shown.put(setting.name(), setting.secret() ? "[hidden]" : text));
        kafkaClient.masked().forEach((name, value) -> shown.put(
                KafkaClientSettings.PREFIX + name.toUpperCase().replace('.', '_'), value));
        return shown;
    }
}
