package dev.loginpipe.common.schema;

/**
 * A schema candidate that cannot replace the running one, and why. The message may quote a registry's answer: it is
 * one line of at most {@value #MAX_MESSAGE_CHARS} characters with control characters replaced, safe to log and show.
 */
public final class UnusableSchema extends Exception {
    static final int MAX_MESSAGE_CHARS = 300;

    /** Low-cardinality reasons, the label of {@code loginpipe_schema_refresh_error}. */
    public enum Reason {
        NOT_JSON("not-json"), NOT_A_SCHEMA("not-a-schema"), UNRESOLVABLE_REF("unresolvable-ref"),
        UNREACHABLE("unreachable"), BAD_ANSWER("bad-answer"),
        /** Checking a probe value takes longer than a record may (a pattern that backtracks without end). */
        TOO_SLOW("too-slow");

        public final String label;

        Reason(String label) {
            this.label = label;
        }
    }

    public final Reason reason;

    public UnusableSchema(Reason reason, String message) {
        super(safe(message));
        this.reason = reason;
    }

    /** Text from elsewhere rendered as one bounded line. */
    public static String safe(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_MESSAGE_CHARS));
        for (int i = 0; i < text.length() && out.length() < MAX_MESSAGE_CHARS; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
        }
        return text.length() > MAX_MESSAGE_CHARS ? out.append("...").toString() : out.toString();
    }
}
