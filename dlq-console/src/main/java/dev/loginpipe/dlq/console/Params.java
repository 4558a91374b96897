package dev.loginpipe.dlq.console;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The parameters of one request, each checked: unknown names, repeats and bad values are a {@link BadRequest}. */
final class Params {
    static final int MAX_QUERY_CHARS = 4096;
    static final int MAX_VALUE_CHARS = 300;

    private final Map<String, String> values;

    private Params(Map<String, String> values) {
        this.values = values;
    }

    /** From a raw (still encoded) query string; only the names in {@code allowed}. */
    static Params ofQuery(String rawQuery, Set<String> allowed) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            if (rawQuery.length() > MAX_QUERY_CHARS) {
                throw new BadRequest("the query is longer than " + MAX_QUERY_CHARS + " characters");
            }
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (value.isEmpty()) {
                    continue; // an empty form field means "no filter"
                }
                put(values, allowed, name, value);
            }
        }
        return new Params(values);
    }

    /** From the fields of a JSON object whose values are strings (a POST body). */
    static Params ofFields(Map<String, String> fields, Set<String> allowed) {
        Map<String, String> values = new HashMap<>();
        fields.forEach((name, value) -> {
            if (!value.isEmpty()) {
                put(values, allowed, name, value);
            }
        });
        return new Params(values);
    }

    private static void put(Map<String, String> values, Set<String> allowed, String name, String value) {
        if (!allowed.contains(name)) {
            throw new BadRequest("unknown parameter '" + shown(name) + "', expected one of " + new java.util.TreeSet<>(allowed));
        }
        if (value.length() > MAX_VALUE_CHARS) {
            throw new BadRequest(name + ": longer than " + MAX_VALUE_CHARS + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new BadRequest(name + ": control characters are not allowed");
        }
        if (values.put(name, value) != null) {
            throw new BadRequest(name + ": given more than once");
        }
    }

    String text(String name) {
        return values.get(name);
    }

    /** 2025-01-31T12:00:00Z or epoch milliseconds. */
    Long time(String name) {
        String text = values.get(name);
        if (text == null) {
            return null;
        }
        try {
            return text.chars().allMatch(Character::isDigit) ? Long.parseLong(text) : Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new BadRequest(name + ": expected a time like 2025-01-31T12:00:00Z or epoch milliseconds");
        }
    }

    int integer(String name, int min, int max, int otherwise) {
        String text = values.get(name);
        if (text == null) {
            return otherwise;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new BadRequest(name + ": expected an integer from " + min + " to " + max);
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("the query is not properly %-encoded");
        }
    }

    /** A hostile name echoed back in an error stays short and printable. */
    private static String shown(String name) {
        String printable = name.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .limit(40).collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return name.length() > 40 ? printable + "…" : printable;
    }
}
