package dev.loginpipe.producer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The kinds of bad event seen in practice, each made by spoiling a valid one. */
public final class InvalidEvents {
    /** A kind of bad event; the weight is its share among the bad ones. */
    public enum Kind {
        MISSING_DEVICE_TYPE(3),
        TIMESTAMP_AS_STRING(2),
        BAD_IP(2),
        THREE_LETTER_LOCALE(2),
        EXTRA_FIELD(2),
        /** A small share: a truncated document, as a crashed writer leaves it. */
        NOT_JSON(1);

        private final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    private static final List<String> BAD_IPS = List.of("999.1.1.1", "256.10.0.1", "1.2.3", "10.0.0.0.1", "::1");
    private static final List<String> THREE_LETTER_LOCALES = List.of("eng", "deu", "fra", "spa");
    private static final int TOTAL_WEIGHT = java.util.Arrays.stream(Kind.values()).mapToInt(k -> k.weight).sum();

    private final Random random;
    private final ObjectMapper json;

    public InvalidEvents(Random random, ObjectMapper json) {
        this.random = random;
        this.json = json;
    }

    public Kind pickKind() {
        int ticket = random.nextInt(TOTAL_WEIGHT);
        for (Kind kind : Kind.values()) {
            ticket -= kind.weight;
            if (ticket < 0) {
                return kind;
            }
        }
        throw new AssertionError("weights add up to " + TOTAL_WEIGHT);
    }

    /** The bytes of {@code event} spoiled the way {@code kind} says; {@code event} is changed. */
    public byte[] spoil(Map<String, Object> event, Kind kind) throws JsonProcessingException {
        switch (kind) {
            case MISSING_DEVICE_TYPE -> event.remove("device_type");
            case TIMESTAMP_AS_STRING -> event.put("timestamp", event.get("timestamp").toString());
            case BAD_IP -> event.put("ip", BAD_IPS.get(random.nextInt(BAD_IPS.size())));
            case THREE_LETTER_LOCALE -> event.put("locale", THREE_LETTER_LOCALES.get(random.nextInt(THREE_LETTER_LOCALES.size())));
            case EXTRA_FIELD -> event.put("session_id", Long.toHexString(random.nextLong()));
            case NOT_JSON -> {
                String whole = json.writeValueAsString(event);
                return whole.substring(0, whole.length() / 2).getBytes(StandardCharsets.UTF_8);
            }
        }
        return json.writeValueAsBytes(event);
    }
}
