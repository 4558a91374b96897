package dev.loginpipe.dlq.console;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.ValidationResult;
import dev.loginpipe.dlq.DlqRecord;

/**
 * Predicts a redrive without writing anything: reads the stored bytes of every record of a selection and validates
 * them with the schema the consumers use now ({@code SCHEMA_PATH}), exactly as the consumer validates a value.
 * Says how many would pass and, for the rest, which signatures they would have. Truncated records are counted apart:
 * they cannot be redriven. One dry run at a time: it reads the whole selection.
 */
final class DryRun {
    private final DlqIndex index;
    private final Signatures signatures;
    private final RecordFetcher fetcher;
    private final EventValidator validator;
    private final ObjectMapper json;
    private final Semaphore oneAtATime = new Semaphore(1);

    DryRun(DlqIndex index, Signatures signatures, RecordFetcher fetcher, EventValidator validator,
           ObjectMapper json) {
        this.index = index;
        this.signatures = signatures;
        this.fetcher = fetcher;
        this.validator = validator;
        this.json = json;
    }

    /** Null when another dry run is running. */
    ObjectNode run(Selection selection, Display display) {
        if (!oneAtATime.tryAcquire()) {
            return null;
        }
        try {
            long[] counts = new long[3]; // selected, would pass, truncated
            Map<Integer, Long> remaining = new HashMap<>();
            fetcher.forEach(index.offsets(selection.filter(signatures)), record -> {
                if (selection.needsRecord() && !selection.matches(record, display)) {
                    return;
                }
                counts[0]++;
                DlqRecord dlq = new DlqRecord(record);
                if (dlq.truncated()) {
                    counts[2]++;
                    return;
                }
                ValidationResult verdict = validator.validate(record.value());
                if (verdict.isValid()) {
                    counts[1]++;
                } else {
                    remaining.merge(signatures.numberOf(verdict, dlq.header(DlqHeaders.SOURCE_TOPIC)), 1L, Long::sum);
                }
            });
            long selected = counts[0];
            long pass = counts[1];
            long truncated = counts[2];
            ObjectNode out = json.createObjectNode().put("schema", validator.source()).put("selected", selected)
                    .put("would_pass", pass).put("would_fail", selected - pass - truncated)
                    .put("truncated", truncated);
            ArrayNode rest = out.putArray("remaining");
            remaining.entrySet().stream().sorted(Map.Entry.<Integer, Long>comparingByValue().reversed())
                    .forEach(r -> {
                        Signature s = signatures.get(r.getKey());
                        rest.addObject().put("id", s.id()).put("label", s.label()).put("reason", s.reason())
                                .put("source_topic", s.sourceTopic()).put("count", r.getValue());
                    });
            return out;
        } finally {
            oneAtATime.release();
        }
    }
}
