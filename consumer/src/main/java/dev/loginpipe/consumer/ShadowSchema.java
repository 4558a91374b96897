package dev.loginpipe.consumer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.FailureSignature;
import dev.loginpipe.common.validation.ValidationResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A candidate schema ({@code SCHEMA_CANDIDATE}) judging every record beside the active one: only the active verdict
 * routes; where the two disagree, the record is counted by signature, the candidate's for a record it would newly
 * reject, the active one's for a record it would let through. Counted as routed: records of an aborted transaction
 * are counted again when routed again.
 */
final class ShadowSchema {
    /** Distinct signatures kept as label values; the rest count as "other" (input decides them: bounded). */
    static final int MAX_SIGNATURES = 100;
    static final String WOULD_REJECT = "would_reject";
    static final String WOULD_ACCEPT = "would_accept";

    private final EventValidator candidate;
    private final ConsumerMetrics metrics;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    ShadowSchema(EventValidator candidate, ConsumerMetrics metrics) {
        this.candidate = candidate;
        this.metrics = metrics;
    }

    /** Judges {@code in} by the candidate too; {@code active} is the verdict that routes it. */
    void observe(ConsumerRecord<byte[], byte[]> in, ValidationResult active) {
        ValidationResult verdict = candidate.validate(in.value());
        metrics.shadowRecords.inc();
        if (verdict.isValid() == active.isValid()) {
            return;
        }
        FailureSignature signature = FailureSignature.of(active.isValid() ? verdict : active, in.topic());
        String id = signature.id();
        boolean kept = seen.contains(id) || seen.size() < MAX_SIGNATURES && seen.add(id);
        metrics.shadowDisagreements.labelValues(active.isValid() ? WOULD_REJECT : WOULD_ACCEPT, kept ? id : "other",
                kept ? signature.label() : "other").inc();
    }
}
