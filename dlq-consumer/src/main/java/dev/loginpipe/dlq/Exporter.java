package dev.loginpipe.dlq;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.validation.Utf8;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * DLQ records as newline-delimited JSON: coordinates, timestamp, key, value and headers. Bytes that are well-formed
 * UTF-8 are written as text ({@code "value"}), others as base64 ({@code "value_base64"}), so nothing is lost.
 */
public final class Exporter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;
    private long written;

    public Exporter(Writer out) {
        this.out = out;
    }

    public void write(DlqRecord dlqRecord) {
        ConsumerRecord<byte[], byte[]> record = dlqRecord.record();
        ObjectNode line = JSON.createObjectNode()
                .put("topic", record.topic())
                .put("partition", record.partition())
                .put("offset", record.offset())
                .put("timestamp", record.timestamp())
                .put("reason", dlqRecord.reason())
                .put("schema_version", dlqRecord.schemaVersion());
        putBytes(line, "key", record.key());
        putBytes(line, "value", record.value());
        for (Header header : record.headers()) {
            putBytes(line.withArray("headers").addObject().put("name", header.key()), "value", header.value());
        }
        try {
            out.write(line.toString());
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        written++;
    }

    public long written() {
        return written;
    }

    /** {@code name} as text when it is UTF-8, {@code name_base64} otherwise, null when absent. */
    private static void putBytes(ObjectNode node, String name, byte[] bytes) {
        if (bytes == null) {
            node.putNull(name);
        } else if (Utf8.firstInvalid(bytes) < 0) {
            node.put(name, new String(bytes, StandardCharsets.UTF_8));
        } else {
            node.put(name + "_base64", Base64.getEncoder().encodeToString(bytes));
        }
    }
}
