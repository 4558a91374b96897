package dev.loginpipe.dlq.access;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted, slow password hashes with the JDK's PBKDF2-HMAC-SHA256, written {@code pbkdf2-sha256$ITERATIONS$SALT$HASH}
 * (base64). The iteration count travels with each hash, so raising it later leaves old hashes valid; one below
 * {@link #MIN_ITERATIONS} is not a hash of this class.
 */
public final class PasswordHash {
    /** OWASP's figure for PBKDF2-HMAC-SHA256 (2023): about a third of a second here, per login. */
    static final int ITERATIONS = 600_000;
    /** The fewest a stored hash may have: a weaker one (not written here) is refused, whatever else it says. */
    static final int MIN_ITERATIONS = 600_000;
    private static final String SCHEME = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final int MAX_ITERATIONS = 10_000_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {
    }

    public static String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + ITERATIONS + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(password, salt, ITERATIONS));
    }

    /** Whether the text is a hash this class wrote (it checks the form, not any password). */
    static boolean wellFormed(String stored) {
        return parse(stored) != null;
    }

    public static boolean matches(char[] password, String stored) {
        Parsed p = parse(stored);
        return p != null && MessageDigest.isEqual(p.hash, derive(password, p.salt, p.iterations));
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {
    }

    private static Parsed parse(String stored) {
        String[] parts = stored.split("\\$", -1);
        if (parts.length != 4 || !parts[0].equals(SCHEME) || !parts[1].matches("\\d{1,8}")) {
            return null;
        }
        int iterations = Integer.parseInt(parts[1]);
        try {
            Base64.Decoder b64 = Base64.getDecoder();
            Parsed p = new Parsed(iterations, b64.decode(parts[2]), b64.decode(parts[3]));
            boolean sane = iterations >= MIN_ITERATIONS && iterations <= MAX_ITERATIONS && p.salt.length >= 8
                    && p.hash.length == HASH_BITS / 8;
            return sane ? p : null;
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
