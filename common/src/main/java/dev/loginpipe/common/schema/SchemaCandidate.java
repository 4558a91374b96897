package dev.loginpipe.common.schema;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.SchemaFingerprint;

/** Turns schema text from a file or a registry into a compiled validator, or says why it cannot be used. */
public final class SchemaCandidate {
    /**
     * For schemas and registry answers: they are small, the nesting bound keeps a hostile one from costing the parser
     * much, and duplicate keys or trailing data make them not JSON.
     */
    public static final ObjectMapper STRICT = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build()).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private SchemaCandidate() {
    }

    public static JsonNode parse(String text, String what) throws UnusableSchema {
        try {
            JsonNode node = STRICT.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new UnusableSchema(UnusableSchema.Reason.NOT_JSON, what + " is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            throw new UnusableSchema(UnusableSchema.Reason.NOT_JSON, what + " is not JSON: " + message);
        }
    }

    /**
     * The last schema found too slow, and why: its probes spend over a second of CPU, which a refresh every few
     * seconds would spend again on the same text.
     */
    private static volatile TooSlow lastTooSlow;

    private record TooSlow(JsonNode schema, Map<String, String> references, int maxJsonDepth, String message) {
    }

    /** Compiles a draft-07 schema whose {@code $ref}s to other documents are all among {@code references}. */
    public static EventValidator compile(JsonNode schema, String what, Map<String, String> references, int maxJsonDepth)
            throws UnusableSchema {
        TooSlow known = lastTooSlow;
        if (known != null && known.equals(new TooSlow(schema, references, maxJsonDepth, known.message()))) {
            throw new UnusableSchema(UnusableSchema.Reason.TOO_SLOW, known.message());
        }
        try {
            return EventValidator.compile(schema, what, references, maxJsonDepth);
        } catch (EventValidator.UnresolvableReference e) {
            throw new UnusableSchema(UnusableSchema.Reason.UNRESOLVABLE_REF, what + ": " + e.getMessage());
        } catch (EventValidator.TooSlow e) {
            lastTooSlow = new TooSlow(schema, Map.copyOf(references), maxJsonDepth, e.getMessage());
            throw new UnusableSchema(UnusableSchema.Reason.TOO_SLOW, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UnusableSchema(UnusableSchema.Reason.NOT_A_SCHEMA, e.getMessage());
        }
    }

    /** The schema's version as a file: {@link SchemaFingerprint}. */
    public static String fingerprint(JsonNode schema) {
        return SchemaFingerprint.of(schema);
    }
}
