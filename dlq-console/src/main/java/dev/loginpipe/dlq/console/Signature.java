package dev.loginpipe.dlq.console;

import dev.loginpipe.common.validation.FailureSignature;

/**
 * Why a group of DLQ records failed: reason, violated rules ("path keyword", array indices as {@code *}) and the topic
 * they came from, as {@link FailureSignature} normalises them (so {@code replay --signature} selects the same records).
 * The id is a hash of the three, so a link to a signature still works after a restart.
 */
record Signature(String id, String reason, String violations, String sourceTopic) {

    static Signature of(String reason, String violations, String sourceTopic) {
        return new Signature(FailureSignature.id(reason, violations, sourceTopic), reason, violations, sourceTopic);
    }

    /** For people: "schema /ip format", "not-json". */
    String label() {
        return new FailureSignature(reason, violations, sourceTopic).label();
    }
}
