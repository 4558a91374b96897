package dev.loginpipe.dlq.redrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.validation.FailureSignature;
import dev.loginpipe.dlq.replay.ReplayOptions;

/**
 * What a redrive plan sends, where, and how carefully: the selection (as {@code replay} takes it), the target topic,
 * the rate, the most records it may ever publish, and the stop-loss: pause once more than {@code stopLossPercent}
 * of at least {@code minSample} records whose outcome is known came back to the DLQ. A plan made from a backtest names
 * the {@code schemaVersion} that must judge the pipeline's records before it may start (null: any).
 */
public record PlanSpec(String reason, String signature, Long since, Long until, String to, long rate,
                       long maxCount, double stopLossPercent, int minSample, String schemaVersion) {
    static final long MAX_RATE = 100_000;
    private static final int MAX_TEXT = 249;

    /** Checks every field; a bad one throws {@link IllegalArgumentException} naming it, for people. */
    public PlanSpec {
        if (signature != null && !FailureSignature.isId(signature)) {
            throw new IllegalArgumentException("signature: expected the 12 hex digits of a signature id");
        }
        if (reason != null && (reason.isEmpty() || reason.length() > MAX_TEXT)) {
            throw new IllegalArgumentException("reason: expected 1 to " + MAX_TEXT + " characters");
        }
        if (to == null || !to.matches("[A-Za-z0-9._-]{1," + MAX_TEXT + "}")) {
            throw new IllegalArgumentException("to: expected a topic name");
        }
        if (rate < 1 || rate > MAX_RATE) {
            throw new IllegalArgumentException("rate: expected records per second, 1 to " + MAX_RATE);
        }
        if (maxCount < 1) {
            throw new IllegalArgumentException("max: expected an integer >= 1");
        }
        if (!(stopLossPercent >= 0 && stopLossPercent <= 100)) {
            throw new IllegalArgumentException("stop_loss_percent: expected 0 to 100");
        }
        if (minSample < 1) {
            throw new IllegalArgumentException("min_sample: expected an integer >= 1");
        }
        if (schemaVersion != null && !schemaVersion.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("schema_version: expected a schema.version (1 to 64 letters, digits, "
                    + "'.', '_' or '-')");
        }
        if (since != null && until != null && since > until) {
            throw new IllegalArgumentException("since: later than until");
        }
    }

    /** The engine's options for a run that may publish at most {@code limit} more records. */
    ReplayOptions options(long limit, boolean dryRun) {
        return new ReplayOptions(to, reason, since, until, limit, dryRun, false, signature);
    }

    /** Too many came back: {@code back} of {@code decided} records, once {@code decided} is a sample. */
    boolean stopLoss(long decided, long back) {
        return decided >= minSample && back * 100.0 > stopLossPercent * decided;
    }

    ObjectNode json(ObjectNode node) {
        node.put("reason", reason).put("signature", signature).put("to", to).put("rate", rate)
                .put("max", maxCount).put("stop_loss_percent", stopLossPercent).put("min_sample", minSample);
        if (since != null) {
            node.put("since", since);
        }
        if (until != null) {
            node.put("until", until);
        }
        if (schemaVersion != null) {
            node.put("schema_version", schemaVersion);
        }
        return node;
    }

    /** A spec from JSON (a request, or an audit entry); {@code defaultTo} when it names no target. */
    static PlanSpec of(JsonNode json, String defaultTo) {
        return new PlanSpec(text(json, "reason"), text(json, "signature"), number(json, "since"),
                number(json, "until"), json.hasNonNull("to") ? json.get("to").asText() : defaultTo,
                json.path("rate").asLong(0), json.path("max").asLong(0),
                json.path("stop_loss_percent").asDouble(100), json.path("min_sample").asInt(20),
                text(json, "schema_version"));
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
    }

    private static Long number(JsonNode json, String field) {
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.canConvertToLong()) {
            throw new IllegalArgumentException(field + ": expected epoch milliseconds");
        }
        return value.longValue();
    }
}
