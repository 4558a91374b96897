package dev.loginpipe.dlq.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Why a group of DLQ records failed: reason, violated rules ("path keyword", array indices as {@code *}) and the topic
 * they came from. The id is a hash of the three, so a link to a signature still works after a restart.
 */
record Signature(String id, String reason, String violations, String sourceTopic) {

    static Signature of(String reason, String violations, String sourceTopic) {
        return new Signature(hash(reason + '\n' + violations + '\n' + sourceTopic), reason, violations, sourceTopic);
    }

    /** For people: "schema /ip format", "not-json". */
    String label() {
        return violations.isEmpty() ? reason : reason + " " + violations;
    }

    private static String hash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
