package dev.loginpipe.dlq.console;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.dlq.DlqRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Pages of the records of a selection, newest first, continued with a cursor ({@code before}) rather than page
 * numbers, so a page stays right while records arrive. Filters the index cannot answer read records in chunks, up to
 * {@link #MAX_SCANNED} a request; the answer then says how far it looked.
 */
final class RecordPages {
    static final Set<String> PARAMS = union(Selection.PARAMS, Set.of("before", "limit"));
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    static final int MAX_SCANNED = 5_000;
    private static final int CHUNK = 250;
    private static final int MESSAGE_CHARS = 300;
    private static final int PREVIEW_CHARS = 200;

    private final DlqIndex index;
    private final Signatures signatures;
    private final RecordFetcher fetcher;
    private final ReplayedRecords replayed;
    private final ObjectMapper json;

    RecordPages(DlqIndex index, Signatures signatures, RecordFetcher fetcher, ReplayedRecords replayed,
                ObjectMapper json) {
        this.index = index;
        this.signatures = signatures;
        this.fetcher = fetcher;
        this.replayed = replayed;
        this.json = json;
    }

    /** A page of records, their text shown through {@code display} (which searches see, too). */
    ObjectNode page(Params params, Display display) {
        Selection selection = Selection.of(params);
        int limit = params.integer("limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
        DlqIndex.Cursor cursor = cursor(params.text("before"));
        DlqIndex.Filter filter = selection.filter(signatures);
        ObjectNode out = json.createObjectNode();
        ArrayNode records = out.putArray("records");
        if (!selection.needsRecord()) {
            DlqIndex.Page page = index.newest(filter, cursor, limit);
            Map<String, ObjectNode> items = items(page.entries(), display, record -> true);
            page.entries().forEach(e -> {
                ObjectNode item = items.get(key(e));
                records.add(item != null ? item : item(e, null, display));
            });
            out.put("matched", page.matched());
            out.put("next", page.entries().size() == limit && page.matched() > limit
                    ? format(page.entries().get(limit - 1).cursor()) : null);
            return out;
        }
        int scanned = 0;
        DlqIndex.Cursor next = cursor;
        boolean more = true;
        while (records.size() < limit && scanned < MAX_SCANNED && more) {
            DlqIndex.Page chunk = index.newest(filter, next, CHUNK);
            Map<String, ObjectNode> matching = items(chunk.entries(), display, record -> selection.matches(record, display));
            for (DlqIndex.Entry e : chunk.entries()) {
                scanned++;
                next = e.cursor();
                ObjectNode item = matching.get(key(e));
                if (item != null) {
                    records.add(item);
                    if (records.size() == limit) {
                        break;
                    }
                }
            }
            more = chunk.matched() > scanned(chunk, next);
        }
        out.putNull("matched"); // unknown without reading every record
        out.put("scanned", scanned);
        out.put("next", more ? format(next) : null);
        return out;
    }

    /**
     * The items of the entries whose records {@code keep} accepts, keyed by {@link #key}. Each item is made as its
     * record arrives, so a request holds one poll of records, not a page of them: a DLQ of megabyte records must not
     * fill the console's heap (a page or chunk of them would be hundreds of megabytes).
     */
    private Map<String, ObjectNode> items(List<DlqIndex.Entry> entries, Display display,
                                          Predicate<ConsumerRecord<byte[], byte[]>> keep) {
        Map<String, DlqIndex.Entry> wanted = new HashMap<>();
        entries.forEach(e -> wanted.put(key(e), e));
        Map<String, ObjectNode> items = new HashMap<>();
        fetcher.forEach(RecordFetcher.byPartition(entries), record -> {
            if (keep.test(record)) {
                String key = RecordFetcher.key(record.partition(), record.offset());
                items.put(key, item(wanted.get(key), record, display));
            }
        });
        return items;
    }

    private static String key(DlqIndex.Entry e) {
        return RecordFetcher.key(e.partition(), e.offset());
    }

    /** Whether records are left after the last one looked at, in this chunk's terms. */
    private static int scanned(DlqIndex.Page chunk, DlqIndex.Cursor last) {
        int position = 0;
        for (DlqIndex.Entry e : chunk.entries()) {
            position++;
            if (e.cursor().equals(last)) {
                return position;
            }
        }
        return position;
    }

    private ObjectNode item(DlqIndex.Entry e, ConsumerRecord<byte[], byte[]> record, Display display) {
        Signature signature = signatures.get(e.signature());
        ObjectNode node = json.createObjectNode().put("partition", e.partition()).put("offset", e.offset())
                .put("at", Instant.ofEpochMilli(e.at()).toString()).put("reason", signature.reason())
                .put("signature", signature.id()).put("label", signature.label())
                .put("replay_count", e.replayCount()).put("truncated", e.truncated())
                .put("replayed", replayed.replayed(e.partition(), e.offset()));
        if (record == null) {
            return node.put("gone", true); // deleted by retention since it was indexed
        }
        DlqRecord dlqRecord = new DlqRecord(record);
        String value = Display.utf8(record.value());
        return node.put("source", display.text(dlqRecord.source(), MESSAGE_CHARS))
                .put("message", display.text(dlqRecord.header(DlqHeaders.ERROR_MESSAGE), MESSAGE_CHARS))
                .put("preview", value != null ? display.text(value, PREVIEW_CHARS)
                        : "(not UTF-8, " + (record.value() == null ? 0 : record.value().length) + " bytes)");
    }

    static String format(DlqIndex.Cursor cursor) {
        return cursor.at() + "." + cursor.partition() + "." + cursor.offset();
    }

    private static DlqIndex.Cursor cursor(String text) {
        if (text == null) {
            return null;
        }
        String[] parts = text.split("\\.");
        try {
            if (parts.length == 3) {
                return new DlqIndex.Cursor(Long.parseLong(parts[0]), Integer.parseInt(parts[1]), Long.parseLong(parts[2]));
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new BadRequest("before: expected the 'next' value of a previous page");
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
