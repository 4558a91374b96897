package dev.loginpipe.dlq.console;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint of the console: its method, its path ({@code {name}} parts are bounded patterns, see {@link #PARTS}),
 * who may call it, and what answers. {@link Routes#ALL} is the only place that says who may do what.
 */
record Route(String method, String path, Access access, Endpoint endpoint) {
    /** The parts a path may hold, each bounded: nothing else reaches an endpoint. */
    static final Map<String, String> PARTS = Map.of("partition", "\\d{1,9}", "offset", "\\d{1,18}",
            "version", "[0-9a-f]{12}|\\d{1,9}", "id", "plan-[0-9a-f]{8}");
    private static final Pattern PART = Pattern.compile("\\{([a-z]+)}");

    /** Who may call a route. */
    enum Access {
        /** Anyone: the sign-in page, what it loads, signing in and out. */
        ANYONE("anyone"),
        /** Anyone signed in, whatever their role. */
        VIEWER("viewer"),
        /** An operator, an admin or the token: whatever writes the audit trail or reads in bulk. */
        OPERATOR("operator");

        private final String label;

        Access(String label) {
            this.label = label;
        }

        String label() {
            return label;
        }
    }

    /** What answers a request that passed its route's checks. */
    @FunctionalInterface
    interface Endpoint {
        void answer(Endpoints endpoints, Call call) throws Exception;
    }

    /** The path as a pattern with one named group per part. */
    Pattern pattern() {
        Matcher part = PART.matcher(path);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (part.find()) {
            regex.append(Pattern.quote(path.substring(last, part.start())))
                    .append("(?<").append(part.group(1)).append(">").append(PARTS.get(part.group(1))).append(")");
            last = part.end();
        }
        return Pattern.compile(regex.append(Pattern.quote(path.substring(last))).toString());
    }

    /** {@code GET /api/summary}: as the table in docs/console.md names it. */
    String name() {
        return method + " " + path;
    }
}
