package dev.loginpipe.dlq.console;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.dlq.DlqRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** One DLQ record for the viewer: what the contract says about it, its headers and key, and its payload view. */
final class RecordDetail {
    static final int MAX_HEADERS = 100;
    static final int MAX_HEADER_CHARS = 2_000;
    static final int MAX_NOTES = 100;

    private final Signatures signatures;
    private final RecordFetcher fetcher;
    private final ReplayedRecords replayed;
    private final ObjectMapper json;

    RecordDetail(Signatures signatures, RecordFetcher fetcher, ReplayedRecords replayed, ObjectMapper json) {
        this.signatures = signatures;
        this.fetcher = fetcher;
        this.replayed = replayed;
        this.json = json;
    }

    /** Null when there is no record at these coordinates. */
    ObjectNode of(int partition, long offset, Display display) {
        ConsumerRecord<byte[], byte[]> record = fetcher.fetch(Map.of(partition, new long[] {offset}))
                .get(RecordFetcher.key(partition, offset));
        if (record == null) {
            return null;
        }
        DlqRecord dlq = new DlqRecord(record);
        Signature signature = signatures.get(signatures.numberOf(dlq));
        byte[] value = record.value();
        int size = value == null ? 0 : value.length;
        ObjectNode out = json.createObjectNode().put("partition", partition).put("offset", offset)
                .put("timestamp", Instant.ofEpochMilli(record.timestamp()).toString())
                .put("at", Instant.ofEpochMilli(dlq.at()).toString()).put("reason", dlq.reason())
                .put("signature", signature.id()).put("label", signature.label())
                .put("source", display.text(dlq.source(), MAX_HEADER_CHARS))
                .put("replay_count", dlq.replayCount()).put("replayed", replayed.replayed(partition, offset))
                .put("message", display.text(dlq.header(DlqHeaders.ERROR_MESSAGE), MAX_HEADER_CHARS))
                .put("exception", display.text(dlq.header(DlqHeaders.ERROR_EXCEPTION), MAX_HEADER_CHARS))
                .put("size", size).put("truncated", dlq.truncated());
        Long original = number(dlq.header(DlqHeaders.PAYLOAD_SIZE));
        if (dlq.truncated()) {
            out.put("original_size", original);
        }
        ObjectNode redrive = out.putObject("redrive").put("available", !dlq.truncated());
        if (dlq.truncated()) {
            redrive.put("why", "the value was cut to fit the DLQ: redriving it would publish a broken record");
        }
        String key = record.key() == null ? null : Display.utf8(record.key());
        out.put("key", record.key() == null ? null : key != null ? display.text(key, MAX_HEADER_CHARS)
                : "(not UTF-8, " + record.key().length + " bytes)");
        ArrayNode headers = out.putArray("headers");
        int count = 0;
        for (Header header : record.headers()) {
            if (++count > MAX_HEADERS) {
                out.put("headers_cut", true);
                break;
            }
            String text = header.value() == null ? null : Display.lenient(header.value());
            headers.addObject().put("name", display.text(header.key(), MAX_HEADER_CHARS))
                    .put("value", display.text(text, MAX_HEADER_CHARS));
        }
        List<PayloadView.Note> notes = notes(dlq.header(DlqHeaders.ERROR_DETAILS));
        Long position = dlq.reason().equals("not-json") ? number(dlq.header(DlqHeaders.ERROR_POSITION)) : null;
        PayloadView.render(out.putObject("view"), value, masked(notes, display), position, display);
        return out;
    }

    private static List<PayloadView.Note> masked(List<PayloadView.Note> notes, Display display) {
        // The path locates the span, so only the message (which may quote the value) is masked.
        return notes.stream().map(n -> new PayloadView.Note(n.path(), n.keyword(),
                display.text(n.message(), MAX_HEADER_CHARS))).toList();
    }

    private List<PayloadView.Note> notes(String details) {
        List<PayloadView.Note> notes = new ArrayList<>();
        if (details == null) {
            return notes;
        }
        try {
            for (JsonNode v : json.readTree(details)) {
                if (notes.size() == MAX_NOTES) {
                    break;
                }
                notes.add(new PayloadView.Note(v.path("path").asText(""), v.path("keyword").asText("?"),
                        v.path("message").asText("")));
            }
        } catch (java.io.IOException | RuntimeException unreadable) {
            notes.add(new PayloadView.Note("", "?", "(unreadable error.details)"));
        }
        return notes;
    }

    private static Long number(String text) {
        try {
            return text == null ? null : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
