package dev.loginpipe.dlq.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.observability.Health;

/** What the console's endpoints answer, apart from HTTP: one method per endpoint. */
final class ConsoleApi {
    private final String topic;
    private final DlqIndex index;
    private final Signatures signatures;
    private final ReplayedRecords replayed;
    private final int maxReplays;
    private final Display display;
    private final Health health;
    private final RecordPages pages;
    private final RecordDetail detail;
    private final DryRun dryRun;
    private final ObjectMapper json;

    ConsoleApi(String topic, DlqIndex index, Signatures signatures, ReplayedRecords replayed, int maxReplays,
               Display display, Health health, RecordPages pages, RecordDetail detail, DryRun dryRun,
               ObjectMapper json) {
        this.topic = topic;
        this.index = index;
        this.signatures = signatures;
        this.replayed = replayed;
        this.maxReplays = maxReplays;
        this.display = display;
        this.health = health;
        this.pages = pages;
        this.detail = detail;
        this.dryRun = dryRun;
        this.json = json;
    }

    /** {@code total} is what the index holds, {@code dlq_records} what the DLQ holds (more once the cap is reached). */
    ObjectNode summary() {
        return json.createObjectNode().put("topic", topic).put("total", index.size()).put("ready", health.isReady())
                .put("masked", display.masked()).put("max_replays", maxReplays)
                .put("dlq_records", index.size() + index.leftOut()).put("index_note", indexNote());
    }

    /** What the page says while the cap leaves records out of the index, or null. */
    private String indexNote() {
        long leftOut = index.leftOut();
        return leftOut == 0 ? null : "The DLQ holds about " + (index.size() + leftOut) + " records; the console "
                + "indexes the newest " + index.size() + " (CONSOLE_INDEX_MAX_RECORDS=" + index.maxRecords() + "): the "
                + leftOut + " older ones are left out of its lists, counts and dry runs. A redrive plan reads the DLQ "
                + "itself and selects them too.";
    }

    ArrayNode signatures() {
        return SignatureStats.compute(index, signatures, replayed, maxReplays, System.currentTimeMillis(), json);
    }

    ObjectNode records(Params params) {
        return pages.page(params);
    }

    ObjectNode record(int partition, long offset) {
        return detail.of(partition, offset);
    }

    ObjectNode dryRun(Params params) {
        return dryRun.run(Selection.of(params));
    }
}
