package dev.loginpipe.dlq;

import java.util.List;
import java.util.regex.Pattern;

/** Hides what identifies people (IP addresses, UUID user and device ids) in text bound for logs and the console. */
public final class Masking {
    private static final Pattern IPV4_LIKE = Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3,4}\\b");
    private static final Pattern IPV6_LIKE = Pattern.compile("\\b[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}\\b");
    private static final Pattern UUID = Pattern.compile(
            "\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");
    /** In this order: a UUID holds hex groups that the IPv6 pattern would take apart. */
    private static final List<Pattern> PATTERNS = List.of(UUID, IPV4_LIKE, IPV6_LIKE);

    private Masking() {
    }

    public static String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = UUID.matcher(text).replaceAll("<id>");
        masked = IPV4_LIKE.matcher(masked).replaceAll("<ip>");
        return IPV6_LIKE.matcher(masked).replaceAll("<ip>");
    }

    /** The same text with what {@link #mask} hides replaced by as many {@code *}: positions stay where they were. */
    public static String blank(String text) {
        String blanked = text;
        for (Pattern pattern : PATTERNS) {
            blanked = pattern.matcher(blanked).replaceAll(m -> "*".repeat(m.group().length()));
        }
        return blanked;
    }
}
