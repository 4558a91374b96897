package dev.loginpipe.common;

import java.util.Set;

/**
 * The record contract: header names the consumer writes on output and DLQ records and that the DLQ consumer reads.
 * All values are UTF-8 strings.
 */
public final class DlqHeaders {
    /** Where the input record was; on output and DLQ records. */
    public static final String SOURCE_TOPIC = "source.topic";
    public static final String SOURCE_PARTITION = "source.partition";
    public static final String SOURCE_OFFSET = "source.offset";
    /** The input record's timestamp, epoch milliseconds. */
    public static final String SOURCE_TIMESTAMP = "source.timestamp";

    /** One of the {@code Reason} labels: {@code empty}, {@code not-utf8}, {@code not-json}, {@code limits}, ... */
    public static final String ERROR_REASON = "error.reason";
    /** One line for people, at most {@link #MAX_MESSAGE_BYTES}. */
    public static final String ERROR_MESSAGE = "error.message";
    /** Reason {@code schema}: a JSON array of {@code {"path","keyword","message"}}, at most {@link #MAX_DETAILS_BYTES}. */
    public static final String ERROR_DETAILS = "error.details";
    /** The class of the exception that detected the problem, when one did. */
    public static final String ERROR_EXCEPTION = "error.exception";
    /**
     * Reasons {@code not-utf8}, {@code not-json} and {@code limits}, when known: the byte offset in the value (a decimal
     * string, from 0) of the first ill-formed byte, or where the JSON parser stopped.
     */
    public static final String ERROR_POSITION = "error.position";
    /** When the record was routed to the DLQ, epoch milliseconds. */
    public static final String ERROR_AT = "error.at";
    public static final String ERROR_GROUP = "error.group";
    public static final String ERROR_INSTANCE = "error.instance";

    /** {@code true} when the value was cut to fit the DLQ's size limit. */
    public static final String PAYLOAD_TRUNCATED = "payload.truncated";
    /** The original value's size in bytes, when truncated. */
    public static final String PAYLOAD_SIZE = "payload.size";
    /** {@code true} when the key was cut to fit (only a key of half the limit or more is cut). */
    public static final String KEY_TRUNCATED = "key.truncated";
    /** The original key's size in bytes, when truncated. */
    public static final String KEY_SIZE = "key.size";
    /** {@code true} when some of the input's own headers were dropped to make the DLQ copy fit. */
    public static final String HEADERS_TRUNCATED = "headers.truncated";
    /** How many of the input's headers were dropped, when truncated. */
    public static final String HEADERS_DROPPED = "headers.dropped";

    /**
     * The version of the schema that judged this record, on output and DLQ records: a schema file's fingerprint (the
     * first 12 hex digits of the SHA-256 of its canonical JSON) or the registry's version number of the subject.
     */
    public static final String SCHEMA_VERSION = "schema.version";
    /** The registry's id of that schema, when it came from a registry. */
    public static final String SCHEMA_ID = "schema.id";

    /** How many times the DLQ consumer has replayed this record; kept across trips through the pipeline. */
    public static final String REPLAY_COUNT = "replay.count";
    /**
     * The replay run that published this record ({@code cli-} and 8 hex digits for the command line); replaced by
     * each replay, kept through the pipeline, so a run's records can be found on the output and back in the DLQ.
     */
    public static final String REPLAY_ID = "replay.id";

    public static final int MAX_MESSAGE_BYTES = 1024;
    public static final int MAX_DETAILS_BYTES = 8 * 1024;

    /** Headers the pipeline writes: an input header of one of these names is replaced, not duplicated. */
    public static final Set<String> SOURCE = Set.of(SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, SOURCE_TIMESTAMP);
    public static final Set<String> ERROR = Set.of(ERROR_REASON, ERROR_MESSAGE, ERROR_DETAILS, ERROR_EXCEPTION,
            ERROR_POSITION, ERROR_AT, ERROR_GROUP, ERROR_INSTANCE, PAYLOAD_TRUNCATED, PAYLOAD_SIZE, KEY_TRUNCATED,
            KEY_SIZE, HEADERS_TRUNCATED, HEADERS_DROPPED);
    public static final Set<String> SCHEMA = Set.of(SCHEMA_VERSION, SCHEMA_ID);

    private DlqHeaders() {
    }

    /** True for headers of the contract that describe one trip (source, error, payload, schema); replay drops them. */
    public static boolean isContractHeader(String name) {
        return SOURCE.contains(name) || ERROR.contains(name) || SCHEMA.contains(name);
    }
}
