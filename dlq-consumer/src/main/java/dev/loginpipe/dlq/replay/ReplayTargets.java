package dev.loginpipe.dlq.replay;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Settings;

/**
 * Where replayed records may go: {@code INPUT_TOPIC} and what {@code REPLAY_TARGETS} adds, never a topic whose
 * content the pipeline trusts. Sent to the ledger, a DLQ record keyed like an entry would erase it and be published
 * again; to the output, records would skip validation; to the audit topic, the trail would hold anyone's bytes; to
 * the DLQ, records would go round; to an internal topic ({@code __consumer_offsets}...), the cluster's own state.
 * The replay engine checks every run, whoever started it: the command line, the console, a plan rebuilt from the
 * trail.
 */
public final class ReplayTargets {
    private final Set<String> allowed = new LinkedHashSet<>();
    private final Map<String, String> forbidden = new HashMap<>();

    public ReplayTargets(Config config) {
        forbidden.putIfAbsent(config.get(Settings.DLQ_TOPIC), "the DLQ itself");
        forbidden.putIfAbsent(config.get(Settings.OUTPUT_TOPIC), "the output topic, where records skip validation");
        forbidden.putIfAbsent(config.get(Settings.REPLAY_LEDGER_TOPIC), "the replay ledger");
        forbidden.putIfAbsent(config.get(Settings.REDRIVE_AUDIT_TOPIC), "the audit trail");
        allowed.add(config.get(Settings.INPUT_TOPIC));
        for (String topic : config.get(Settings.REPLAY_TARGETS).split(",")) {
            if (!topic.isBlank()) {
                allowed.add(topic.strip());
            }
        }
        for (String topic : allowed) {
            String why = whyNot(topic);
            if (why != null) {
                String setting = topic.equals(config.get(Settings.INPUT_TOPIC)) ? Settings.INPUT_TOPIC.name()
                        : Settings.REPLAY_TARGETS.name();
                throw new ConfigException(setting, topic + " cannot be a replay target: " + why);
            }
        }
    }

    /** Throws {@link IllegalArgumentException}, saying why, unless records may be replayed to {@code topic}. */
    public void check(String topic) {
        String why = whyNot(topic);
        if (why != null) {
            throw new IllegalArgumentException("to: " + topic + " is " + why + "; never a replay target");
        }
        if (!allowed.contains(topic)) {
            throw new IllegalArgumentException("to: " + topic + " is not a replay target (allowed: "
                    + String.join(", ", allowed) + "; REPLAY_TARGETS adds more)");
        }
    }

    private String whyNot(String topic) {
        if (topic.startsWith("__")) {
            return "an internal topic";
        }
        return forbidden.get(topic);
    }

    public Set<String> allowed() {
        return Set.copyOf(allowed);
    }
}
