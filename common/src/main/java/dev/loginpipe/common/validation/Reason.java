package dev.loginpipe.common.validation;

/** Why a record goes to the DLQ; the value of the {@code error.reason} header. */
public enum Reason {
    /** Null or zero-length value. */
    EMPTY("empty"),
    /** Bytes that are not well-formed UTF-8 (RFC 3629). */
    NOT_UTF8("not-utf8"),
    /** Text that is not exactly one JSON document. */
    NOT_JSON("not-json"),
    /**
     * JSON the validator cannot check safely: nested deeper than {@code MAX_JSON_DEPTH}, a number longer than
     * {@link EventValidator#MAX_NUMBER_LENGTH} characters, or a document the schema library fails on.
     */
    LIMITS("limits"),
    /** JSON that breaks the schema, including JSON that is not an object. */
    SCHEMA("schema"),
    /** A valid event in a record larger than the output topic accepts (only a huge key makes one). */
    TOO_LARGE("too-large"),
    /** A record the brokers refuse for good (e.g. over a topic's size limit, or a null key on a compacted topic). */
    REJECTED("rejected"),
    /**
     * Checking the record took longer than {@link EventValidator#RECORD_BUDGET_MS}, and once more than
     * {@link EventValidator#RECHECK_BUDGET_MS}: a pattern of the schema that
     * backtracks without end on this value (e.g. {@code "^(a+)+$"} on {@code "aaaa…a!"}), or keywords that branch at
     * every level. The record is kept; a fixed schema can judge it again (redrive).
     */
    TOO_SLOW("too-slow"),
    /** Routing the record failed with an unexpected error (a bug of ours or of a library); the record is kept. */
    INTERNAL("internal");

    private final String label;

    Reason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
