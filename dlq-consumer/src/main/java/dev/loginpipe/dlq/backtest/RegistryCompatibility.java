package dev.loginpipe.dlq.backtest;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.schema.RegistryClient;
import dev.loginpipe.common.schema.UnusableSchema;

/**
 * What the schema registry says of a candidate, beside the backtest's verdict on data: the subject's compatibility
 * level ({@code GET /config/{subject}}, else the registry's {@code GET /config}) and, under a rule, its check against
 * the latest version. Its answers are hostile: only a boolean and short safe lines are kept; a registry that fails is
 * one line saying so, never a failed backtest.
 *
 * @param level      as the registry names it (BACKWARD, NONE, ...), or null when it could not be had
 * @param compatible the registry's answer, or null when it was not asked (no rule) or did not answer
 * @param messages   why not, as the registry says (Apicurio 3.3.3 says nothing)
 * @param error      why the registry could not be asked, or null
 */
public record RegistryCompatibility(String subject, String level, Boolean compatible, List<String> messages,
                                    String error) {
    static final int MAX_MESSAGES = 10;
    static final int LINE_CHARS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Asks the registry about {@code candidate}, the schema as its API spells it ({@code schemaType}, ...). */
    public static RegistryCompatibility check(RegistryClient client, String subject, ObjectNode candidate) {
        String level = null;
        try {
            level = level(client, subject);
            if (level.equals("NONE")) {
                return new RegistryCompatibility(subject, level, null, List.of(), null); // it would take any version
            }
            String path = "/compatibility/subjects/" + RegistryClient.segment(subject)
                    + "/versions/latest?verbose=true";
            JsonNode answer = client.post(path, candidate);
            JsonNode compatible = answer.get("is_compatible");
            if (compatible == null || !compatible.isBoolean()) {
                throw new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, "POST " + path + ": no is_compatible");
            }
            List<String> messages = new ArrayList<>();
            JsonNode given = answer.path("messages");
            for (int i = 0; given.isArray() && i < Math.min(given.size(), MAX_MESSAGES); i++) {
                JsonNode message = given.get(i);
                messages.add(UnusableSchema.safe(message.isTextual() ? message.asText() : message.toString()));
            }
            return new RegistryCompatibility(subject, level, compatible.booleanValue(), List.copyOf(messages), null);
        } catch (UnusableSchema e) {
            return new RegistryCompatibility(subject, level, null, List.of(), e.getMessage());
        }
    }

    /** The subject's own level, else the registry's (a subject has none of its own until set, or any version). */
    private static String level(RegistryClient client, String subject) throws UnusableSchema {
        JsonNode config = client.find("/config/" + RegistryClient.segment(subject));
        if (config == null) {
            config = client.get("/config");
        }
        JsonNode level = config.has("compatibilityLevel") ? config.get("compatibilityLevel")
                : config.get("compatibility");
        if (level == null || !level.isTextual()) {
            throw new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, "GET /config: no compatibilityLevel");
        }
        return UnusableSchema.safe(level.asText());
    }

    /** One line for people: {@code registry (BACKWARD): NOT compatible: <the registry's first reason>}. */
    public String line() {
        if (error != null) {
            return "registry: could not check: " + cut(error);
        }
        if (compatible == null) {
            return "registry: no compatibility rule for " + UnusableSchema.safe(subject);
        }
        return "registry (" + cut(level) + "): " + (compatible ? "compatible" : "NOT compatible"
                + (messages.isEmpty() ? "" : ": " + cut(messages.get(0))));
    }

    public ObjectNode json() {
        ObjectNode out = JSON.createObjectNode().put("subject", subject).put("level", level);
        out.set("compatible", compatible == null ? out.nullNode() : out.booleanNode(compatible));
        messages.forEach(out.putArray("messages")::add);
        return out.put("error", error);
    }

    private static String cut(String text) {
        return text.length() > LINE_CHARS ? text.substring(0, LINE_CHARS) + "..." : text;
    }
}
