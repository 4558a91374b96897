package dev.loginpipe.dlq.console;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.validation.ValidationResult;
import dev.loginpipe.dlq.DlqRecord;
import dev.loginpipe.common.validation.FailureSignature;

/**
 * Every signature seen, each stored once and numbered in order of discovery (the index keeps the number, an int).
 * Paths and topic names come from the input: they are cut, and past {@link #MAX_SIGNATURES} new ones fall into one
 * overflow signature per reason, so hostile field names cannot grow this without bound. Thread-safe.
 */
final class Signatures {
    static final int MAX_SIGNATURES = 10_000;
    static final String OVERFLOW = "(other: too many signatures)";
    private static final int MAX_OVERFLOWS = 100;
    private static final int MAX_RAW = 20_000;
    private static final int MAX_RAW_CHARS = 1_000;

    private final List<Signature> byNumber = new ArrayList<>();
    private final Map<List<String>, Integer> numbers = new HashMap<>();
    private final Map<String, Integer> byId = new HashMap<>();
    private final Map<String, Integer> byRawHeaders = new HashMap<>();

    /**
     * The number of the signature of a DLQ record, as the consumer described it in its headers. Most records repeat
     * the headers of others word for word, so the answer is kept per raw header text (bounded) and the details are
     * parsed once per distinct text, not once per record.
     */
    int numberOf(DlqRecord record) {
        String raw = record.header(DlqHeaders.ERROR_REASON) + '\n' + record.header(DlqHeaders.ERROR_DETAILS) + '\n'
                + record.header(DlqHeaders.SOURCE_TOPIC);
        synchronized (this) {
            Integer known = byRawHeaders.get(raw);
            if (known != null) {
                return known;
            }
        }
        int number = parse(record);
        if (raw.length() > MAX_RAW_CHARS) {
            return number; // rare, and would make the cache large
        }
        synchronized (this) {
            if (byRawHeaders.size() >= MAX_RAW) {
                byRawHeaders.clear();
            }
            byRawHeaders.put(raw, number);
        }
        return number;
    }

    private int parse(DlqRecord record) {
        return intern(record.signature());
    }

    /** The number of the signature a record would have if the pipeline routed it now with this verdict. */
    int numberOf(ValidationResult verdict, String sourceTopic) {
        return intern(FailureSignature.of(verdict, sourceTopic));
    }

    synchronized Signature get(int number) {
        return byNumber.get(number);
    }

    synchronized int count() {
        return byNumber.size();
    }

    /** The number of the signature with this id, or -1. */
    synchronized int byId(String id) {
        return byId.getOrDefault(id, -1);
    }

    private synchronized int intern(FailureSignature failure) {
        String reason = failure.reason();
        List<String> key = List.of(reason, failure.violations(), failure.sourceTopic());
        Integer known = numbers.get(key);
        if (known != null) {
            return known;
        }
        if (byNumber.size() >= MAX_SIGNATURES) {
            // One overflow per reason while reasons are few; records of made-up reasons beyond that share one.
            key = List.of(byNumber.size() < MAX_SIGNATURES + MAX_OVERFLOWS ? reason : "(other)", OVERFLOW, "?");
            known = numbers.get(key);
            if (known != null) {
                return known;
            }
        }
        Signature signature = Signature.of(key.get(0), key.get(1), key.get(2));
        int number = byNumber.size();
        byNumber.add(signature);
        numbers.put(key, number);
        byId.put(signature.id(), number);
        return number;
    }
}
