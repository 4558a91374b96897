package dev.loginpipe.dlq.redrive;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Settings;

/**
 * The keys of {@code REDRIVE_AUDIT_KEY}, newest first: the first signs new audit entries (HMAC-SHA256), the others
 * verify old ones, so a key is rotated by putting the new one first and keeping the old one after it. Each entry names
 * its key by a fingerprint that does not reveal it.
 */
public final class AuditKeys {
    static final int MIN_LENGTH = 32;
    private static final String ALGORITHM = "HmacSHA256";

    private final List<String> ids = new ArrayList<>();
    private final List<SecretKeySpec> keys = new ArrayList<>();

    AuditKeys(String setting) {
        for (String key : setting.isEmpty() ? new String[0] : setting.split(",", -1)) {
            if (key.strip().length() < MIN_LENGTH) {
                throw new ConfigException(Settings.REDRIVE_AUDIT_KEY.name(), "each key needs " + MIN_LENGTH
                        + " characters or more (keys are comma-separated, the first signs)");
            }
            keys.add(new SecretKeySpec(key.strip().getBytes(UTF_8), ALGORITHM));
            ids.add(fingerprint(key.strip()));
        }
    }

    /** The keys of the setting; a key shorter than {@link #MIN_LENGTH} is a {@link ConfigException}. */
    public static AuditKeys of(Config config) {
        return new AuditKeys(config.get(Settings.REDRIVE_AUDIT_KEY));
    }

    boolean isEmpty() {
        return keys.isEmpty();
    }

    /** The fingerprint of the key that signs. */
    String signingId() {
        return ids.get(0);
    }

    String sign(byte[] value) {
        return HexFormat.of().formatHex(mac(keys.get(0), value));
    }

    /** Whether {@code signature} is the HMAC of {@code value} under the key {@code keyId} names, one of these. */
    boolean verifies(String keyId, String signature, byte[] value) {
        int i = keyId == null ? -1 : ids.indexOf(keyId);
        if (i < 0 || signature == null) {
            return false;
        }
        byte[] expected = mac(keys.get(i), value);
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signature);
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        return MessageDigest.isEqual(expected, given);
    }

    boolean knows(String keyId) {
        return ids.contains(keyId);
    }

    /** How old the key {@code keyId} names is: 0 for the one that signs, higher for older ones; -1 for none. */
    int age(String keyId) {
        return ids.indexOf(keyId);
    }

    private static byte[] mac(SecretKeySpec key, byte[] value) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(value);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fingerprint(String key) {
        return AuditTrail.sha256(("loginpipe audit key " + key).getBytes(UTF_8)).substring(0, 12);
    }
}
