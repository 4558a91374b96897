package dev.loginpipe.common.config;

import java.net.URI;
import java.util.function.Function;

/**
 * A kind of setting value: its parser and, for the error message and the docs, what a valid text looks like.
 * A parser signals a bad text by throwing any {@link RuntimeException}; its message is shown when it has one.
 */
public record SettingType<T>(String expected, Function<String, T> parser) {

    public static final SettingType<String> STRING = new SettingType<>("a non-empty printable string", s -> {
        if (s.isBlank() || s.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException();
        }
        return s;
    });

    public static final SettingType<String> OPTIONAL_STRING = new SettingType<>("a printable string or nothing", s -> {
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException();
        }
        return s;
    });

    public static final SettingType<String> HOST_PORT_LIST = new SettingType<>("host:port[,host:port...]", s -> {
        for (String server : s.split(",")) {
            int colon = server.lastIndexOf(':');
            if (colon <= 0 || colon == server.length() - 1) {
                throw new IllegalArgumentException();
            }
            Integer.parseInt(server.substring(colon + 1).trim());
        }
        return s;
    });

    /** An http or https URL with a host, or nothing (the feature it names is off). */
    public static final SettingType<String> OPTIONAL_HTTP_URL = new SettingType<>("an http(s) URL or nothing", s -> {
        if (s.isEmpty()) {
            return s;
        }
        URI uri = URI.create(s.strip());
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException();
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null) {
            throw new IllegalArgumentException("no user, password or query in the URL: credentials have settings of their own");
        }
        return s.strip().replaceAll("/+$", "");
    });

    public static final SettingType<Boolean> BOOLEAN = new SettingType<>("true or false", s -> switch (s) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new IllegalArgumentException();
    });

    public static final SettingType<Integer> PORT = intRange(0, 65535);

    public static final SettingType<Long> LONG = new SettingType<>("an integer", s -> Long.parseLong(s.trim()));

    public static SettingType<Integer> intRange(int min, int max) {
        String expected = max == Integer.MAX_VALUE
                ? "an integer >= " + min
                : "an integer from " + min + " to " + max;
        return new SettingType<>(expected, s -> {
            int value = Integer.parseInt(s.trim());
            if (value < min || value > max) {
                throw new IllegalArgumentException();
            }
            return value;
        });
    }

    public static SettingType<Long> longAtLeast(long min) {
        return new SettingType<>("an integer >= " + min, s -> {
            long value = Long.parseLong(s.trim());
            if (value < min) {
                throw new IllegalArgumentException();
            }
            return value;
        });
    }

    public static SettingType<Double> fraction() {
        return new SettingType<>("a number from 0 to 1", s -> {
            double value = Double.parseDouble(s.trim());
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException();
            }
            return value;
        });
    }

    /** A type whose parser does more work (reads a file, compiles a schema) but is checked the same way. */
    public <R> SettingType<R> map(String expected, Function<T, R> then) {
        return new SettingType<>(expected, parser.andThen(then));
    }
}
