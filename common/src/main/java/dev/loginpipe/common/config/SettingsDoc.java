package dev.loginpipe.common.config;

import java.util.List;
import java.util.stream.Collectors;

/** Renders the setting declarations for people: {@code --help} text and the README's Markdown table. */
public final class SettingsDoc {
    private SettingsDoc() {
    }

    /** The help of one jar: its usage lines, then each of its variables. */
    public static String help(Service service, String usage) {
        StringBuilder out = new StringBuilder(usage.strip()).append("\n\nEnvironment variables:\n");
        for (Setting<?> s : Settings.of(service)) {
            out.append(String.format("  %-22s %s%n", s.name(), s.doc()));
            out.append(String.format("  %-22s %s; %s%n", "", s.type().expected(),
                    s.required() ? "required" : "default: " + s.defaultShown()));
        }
        out.append(String.format("  %-22s %s%n", KafkaClientSettings.PREFIX + "<NAME>",
                "Any Kafka client setting, e.g. KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL for security.protocol."));
        if (service == Service.CONSUMER) {
            KafkaClientSettings.ROUTER_CONSUMER.forEach((name, pinned) -> out.append(String.format("  %-22s %s%n", "",
                    name + " may only be " + pinned.value() + ": " + pinned.why() + ".")));
        }
        return out.toString();
    }

    /** The README table of every variable; a test keeps the README equal to it. */
    public static String markdownTable() {
        StringBuilder out = new StringBuilder("| variable | used by | expected | default | description |\n")
                .append("|---|---|---|---|---|\n");
        for (Setting<?> s : Settings.ALL) {
            out.append("| `").append(s.name()).append("` | ")
                    .append(usedBy(s.services().stream().toList())).append(" | ")
                    .append(s.type().expected()).append(" | ")
                    .append(s.required() ? "**required**" : "`" + s.defaultShown() + "`").append(" | ")
                    .append(s.doc()).append(" |\n");
        }
        out.append("| `").append(KafkaClientSettings.PREFIX).append("<NAME>` | all | a valid value of that Kafka setting | ")
                .append("Kafka's | Any Kafka client setting: `KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL` becomes ")
                .append("`security.protocol=SASL_SSL` (underscores to dots, lower case). |\n");
        return out.toString();
    }

    private static String usedBy(List<Service> services) {
        return services.size() == Service.values().length ? "all"
                : services.stream().map(Service::jarName).collect(Collectors.joining(", "));
    }

    public static void main(String[] args) {
        System.out.print(markdownTable());
    }
}
