package dev.loginpipe.dlq;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.validation.FailureSignature;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A DLQ record read through the header contract. Records someone else wrote (without our headers, or with values that
 * do not parse) are read as reason {@code unknown}, never as an error.
 */
public final class DlqRecord {
    public static final String UNKNOWN = "unknown";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConsumerRecord<byte[], byte[]> record;

    public DlqRecord(ConsumerRecord<byte[], byte[]> record) {
        this.record = record;
    }

    public ConsumerRecord<byte[], byte[]> record() {
        return record;
    }

    /** The last value of a header as text, or null. */
    public String header(String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** {@code error.reason}, or {@code unknown} when the record has none. */
    public String reason() {
        String reason = header(DlqHeaders.ERROR_REASON);
        return reason == null || reason.isBlank() ? UNKNOWN : reason;
    }

    /** {@code schema.version}: the version of the schema that judged it, or null (dead-lettered before versions). */
    public String schemaVersion() {
        return header(DlqHeaders.SCHEMA_VERSION);
    }

    /** The violated rules of {@code error.details} as "path keyword", e.g. "/ip format"; empty when there are none. */
    public List<String> violations() {
        String details = header(DlqHeaders.ERROR_DETAILS);
        List<String> violations = new ArrayList<>();
        if (details == null) {
            return violations;
        }
        try {
            for (JsonNode violation : JSON.readTree(details)) {
                violations.add(violation.path("path").asText("?") + " " + violation.path("keyword").asText("?"));
            }
        } catch (java.io.IOException | RuntimeException unreadable) {
            violations.add("(unreadable error.details)");
        }
        return violations;
    }

    /** When it was dead-lettered ({@code error.at}), else the record's own timestamp; epoch ms. */
    public long at() {
        Long errorAt = number(DlqHeaders.ERROR_AT);
        return errorAt != null ? errorAt : record.timestamp();
    }

    /** How many times replay has published it already. */
    public int replayCount() {
        Long count = number(DlqHeaders.REPLAY_COUNT);
        return count == null ? 0 : (int) Math.max(0, Math.min(Integer.MAX_VALUE, count));
    }

    /** The value or the key was cut to fit the DLQ: replaying it would publish a broken record. */
    /** Its failure signature, as the consumer described the failure in its headers. */
    public FailureSignature signature() {
        TreeSet<String> violations = new TreeSet<>();
        for (String violation : violations()) {
            int space = violation.lastIndexOf(' ');
            violations.add(space < 0 ? FailureSignature.cut(violation)
                    : FailureSignature.normalisePath(violation.substring(0, space)) + violation.substring(space));
        }
        return FailureSignature.of(reason(), violations, header(DlqHeaders.SOURCE_TOPIC));
    }

    public boolean truncated() {
        return "true".equals(header(DlqHeaders.PAYLOAD_TRUNCATED)) || "true".equals(header(DlqHeaders.KEY_TRUNCATED));
    }

    /** Where it is in the DLQ, "partition:offset". */
    public String coordinates() {
        return record.partition() + ":" + record.offset();
    }

    /** Where it came from, "topic/partition/offset", or "?" when that is not in the headers. */
    public String source() {
        String topic = header(DlqHeaders.SOURCE_TOPIC);
        return topic == null ? "?" : topic + "/" + header(DlqHeaders.SOURCE_PARTITION) + "/"
                + header(DlqHeaders.SOURCE_OFFSET);
    }

    private Long number(String name) {
        String text = header(name);
        try {
            return text == null ? null : Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
