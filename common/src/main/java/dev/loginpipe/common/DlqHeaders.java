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

    /** One of {@code empty}, {@code not-utf8}, {@code not-json}, {@code schema}, {@code too-large}. */
    public static final String ERROR_REASON = "error.reason";
    /** One line for people, at most {@link #MAX_MESSAGE_BYTES}. */
    public static final String ERROR_MESSAGE = "error.message";
    /** Reason {@code schema}: a JSON array of {@code {"path","keyword","message"}}, at most {@link #MAX_DETAILS_BYTES}. */
    public static final String ERROR_DETAILS = "error.details";
    /** The class of the exception that detected the problem, when one did. */
    public static final String ERROR_EXCEPTION = "error.exception";
    /** Reason {@code not-json}: the byte offset where parsing failed, as a decimal string, when the parser knows it. */
    public static final String ERROR_POSITION = "error.position";
    /** When the record was routed to the DLQ, epoch milliseconds. */
    public static final String ERROR_AT = "error.at";
    public static final String ERROR_GROUP = "error.group";
    public static final String ERROR_INSTANCE = "error.instance";

    /** {@code true} when the value was cut to fit the DLQ's size limit. */
    public static final String PAYLOAD_TRUNCATED = "payload.truncated";
    /** The original value's size in bytes, when truncated. */
    public static final String PAYLOAD_SIZE = "payload.size";

    /** How many times the DLQ consumer has replayed this record; kept across trips through the pipeline. */
    public static final String REPLAY_COUNT = "replay.count";

    public static final int MAX_MESSAGE_BYTES = 1024;
    public static final int MAX_DETAILS_BYTES = 8 * 1024;

    /** Headers the pipeline writes: an input header of one of these names is replaced, not duplicated. */
    public static final Set<String> SOURCE = Set.of(SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, SOURCE_TIMESTAMP);
    public static final Set<String> ERROR = Set.of(ERROR_REASON, ERROR_MESSAGE, ERROR_DETAILS, ERROR_EXCEPTION,
            ERROR_AT, ERROR_GROUP, ERROR_INSTANCE, PAYLOAD_TRUNCATED, PAYLOAD_SIZE);

    private DlqHeaders() {
    }

    /** True for headers of the contract that describe one trip (source, error, payload); replay drops them. */
    public static boolean isContractHeader(String name) {
        return SOURCE.contains(name) || ERROR.contains(name);
    }
}
