package dev.loginpipe.common.validation;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * A schema file's version: the first 12 hex digits of the SHA-256 of its canonical JSON (keys sorted, no white
 * space), so the same schema written differently has the same version; the consumer's {@code schema.version} for a
 * file, and what a backtest names its candidate.
 */
public final class SchemaFingerprint {
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private SchemaFingerprint() {
    }

    public static String of(JsonNode schema) {
        try {
            Object plain = CANONICAL.treeToValue(schema, Object.class);
            byte[] canonical = CANONICAL.writeValueAsBytes(plain);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical)).substring(0, 12);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // a tree read from JSON always writes back; SHA-256 is in every JDK
        }
    }
}
