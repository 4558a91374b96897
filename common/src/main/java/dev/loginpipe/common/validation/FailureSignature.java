package dev.loginpipe.common.validation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Why a record failed (or would fail), normalised so that records failing for the same cause share it: reason,
 * violated rules ("path keyword", sorted, array indices as {@code *}) and the topic it came from. The id (12 hex
 * digits of a SHA-256 of the three) is what {@code replay --signature}, the console's signatures, the backtest and
 * the consumer's shadow schema use. Parts come from the
 * input and are cut to a bounded length.
 */
public record FailureSignature(String reason, String violations, String sourceTopic) {
    private static final Pattern ARRAY_INDEX = Pattern.compile("/\\d+(?=/|$)");
    private static final int MAX_PART = 120;
    private static final int MAX_VIOLATIONS = 400;
    private static final Pattern ID = Pattern.compile("[0-9a-f]{12}");

    /** The signature of a verdict of the validator, for a record from {@code sourceTopic}. */
    public static FailureSignature of(ValidationResult verdict, String sourceTopic) {
        TreeSet<String> violations = new TreeSet<>();
        for (Violation v : verdict.violations()) {
            violations.add(normalisePath(v.path()) + " " + v.keyword());
        }
        return of(verdict.reason().label(), violations, sourceTopic);
    }

    /** How the console names it: the reason, then the violated rules. */
    public String label() {
        return violations.isEmpty() ? reason : reason + " " + violations;
    }

    /** The signature of a reason, its violations ("path keyword", normalised) and a source topic (null: "?"). */
    public static FailureSignature of(String reason, Collection<String> violations, String sourceTopic) {
        String joined = String.join(", ", violations instanceof TreeSet ? violations : new TreeSet<>(violations));
        if (joined.length() > MAX_VIOLATIONS) {
            joined = joined.substring(0, MAX_VIOLATIONS) + "…";
        }
        return new FailureSignature(cut(reason), joined,
                sourceTopic == null || sourceTopic.isBlank() ? "?" : cut(sourceTopic));
    }

    public static boolean isId(String text) {
        return text != null && ID.matcher(text).matches();
    }

    public String id() {
        return id(reason, violations, sourceTopic);
    }

    /** The id of any three parts (the console also names its overflow groups this way). */
    public static String id(String reason, String violations, String sourceTopic) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((reason + '\n' + violations + '\n' + sourceTopic).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code /events/3/ip} and {@code /events/17/ip} are the same problem: {@code /events/*}{@code /ip}. */
    public static String normalisePath(String path) {
        return cut(ARRAY_INDEX.matcher(path).replaceAll("/*"));
    }

    /** At most {@value #MAX_PART} code points, control characters as spaces. */
    public static String cut(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_PART));
        text.codePoints().limit(MAX_PART).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return text.codePointCount(0, text.length()) > MAX_PART ? out.append('…').toString() : out.toString();
    }
}
