package dev.loginpipe.dlq;

import java.util.regex.Pattern;

/** Hides what identifies people (IP addresses, UUID user and device ids) in text bound for logs. */
final class Masking {
    private static final Pattern IPV4_LIKE = Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3,4}\\b");
    private static final Pattern IPV6_LIKE = Pattern.compile("\\b[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}\\b");
    private static final Pattern UUID = Pattern.compile(
            "\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");

    private Masking() {
    }

    static String mask(String text) {
        if (text == null) {
            return null;
        }
        String masked = UUID.matcher(text).replaceAll("<id>");
        masked = IPV4_LIKE.matcher(masked).replaceAll("<ip>");
        return IPV6_LIKE.matcher(masked).replaceAll("<ip>");
    }
}
