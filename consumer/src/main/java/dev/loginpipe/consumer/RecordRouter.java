package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.Reason;
import dev.loginpipe.common.validation.ValidationResult;
import dev.loginpipe.common.validation.Violation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Decides where one input record goes and builds the record to send there: the output topic for a valid event,
 * the DLQ for anything else. Key, value bytes and the input's own headers travel unchanged; the contract's headers
 * ({@link DlqHeaders}) are added, replacing any the input carried. No network, no shared state: thread-safe.
 */
public final class RecordRouter {
    /** Bytes Kafka adds around one record and its batch, plus slack; kept free below the size limit. */
    static final int RECORD_OVERHEAD_BYTES = 512;

    private final EventValidator validator;
    private final String outputTopic;
    private final String dlqTopic;
    private final byte[] group;
    private final byte[] instance;
    private final int maxOutputRecordBytes;
    private final int maxDlqRecordBytes;

    /** The limits are the largest record the producer and each topic accept (see {@code max.message.bytes}). */
    public RecordRouter(EventValidator validator, String outputTopic, String dlqTopic, String group, String instance,
                        int maxOutputRecordBytes, int maxDlqRecordBytes) {
        this.validator = validator;
        this.outputTopic = outputTopic;
        this.dlqTopic = dlqTopic;
        this.group = group.getBytes(UTF_8);
        this.instance = instance.getBytes(UTF_8);
        this.maxOutputRecordBytes = maxOutputRecordBytes;
        this.maxDlqRecordBytes = maxDlqRecordBytes;
    }

    /** Where a record went and what was sent. */
    public record Routed(ProducerRecord<byte[], byte[]> record, ValidationResult result) {
        public boolean toDlq() {
            return !result.isValid();
        }
    }

    public Routed route(ConsumerRecord<byte[], byte[]> in) {
        ValidationResult result = validator.validate(in.value());
        Headers headers = provenance(in);
        if (result.isValid()) {
            int size = RECORD_OVERHEAD_BYTES + length(in.key()) + length(in.value()) + headersSize(headers);
            if (size <= maxOutputRecordBytes) {
                return new Routed(new ProducerRecord<>(outputTopic, null, in.key(), in.value(), headers), result);
            }
            // A valid event under a huge key: the output topic would refuse it forever, and the partition would stall.
            result = ValidationResult.invalid(Reason.TOO_LARGE, "a valid event, but the record of about " + size
                    + " bytes exceeds the " + maxOutputRecordBytes + " bytes the output topic accepts");
        }
        return new Routed(deadLetter(in, result, headers), result);
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ConsumerRecord<byte[], byte[]> in, ValidationResult result,
                                                      Headers headers) {
        headers.add(DlqHeaders.ERROR_REASON, result.reason().label().getBytes(UTF_8));
        headers.add(DlqHeaders.ERROR_MESSAGE, truncateUtf8(result.message(), DlqHeaders.MAX_MESSAGE_BYTES));
        if (!result.violations().isEmpty()) {
            headers.add(DlqHeaders.ERROR_DETAILS, details(result.violations()));
        }
        if (result.exception() != null) {
            headers.add(DlqHeaders.ERROR_EXCEPTION, result.exception().getBytes(UTF_8));
        }
        headers.add(DlqHeaders.ERROR_AT, Long.toString(System.currentTimeMillis()).getBytes(UTF_8));
        headers.add(DlqHeaders.ERROR_GROUP, group);
        headers.add(DlqHeaders.ERROR_INSTANCE, instance);

        byte[] key = in.key();
        byte[] value = in.value();
        int room = maxDlqRecordBytes - RECORD_OVERHEAD_BYTES - headersSize(headers) - 64; // 64: the payload headers
        if (length(key) + length(value) > room) {
            headers.add(DlqHeaders.PAYLOAD_TRUNCATED, "true".getBytes(UTF_8));
            headers.add(DlqHeaders.PAYLOAD_SIZE, Integer.toString(length(value)).getBytes(UTF_8));
            if (length(key) > room / 2) {
                key = Arrays.copyOf(key, room / 2); // only a key of half the limit or more is cut
            }
            if (value != null) {
                value = Arrays.copyOf(value, Math.min(value.length, room - length(key)));
            }
        }
        return new ProducerRecord<>(dlqTopic, null, key, value, headers);
    }

    /** The input's headers without any of the contract's names, then where the record came from. */
    private static Headers provenance(ConsumerRecord<byte[], byte[]> in) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : in.headers()) {
            if (!DlqHeaders.isContractHeader(h.key())) {
                headers.add(h);
            }
        }
        headers.add(DlqHeaders.SOURCE_TOPIC, in.topic().getBytes(UTF_8));
        headers.add(DlqHeaders.SOURCE_PARTITION, Integer.toString(in.partition()).getBytes(UTF_8));
        headers.add(DlqHeaders.SOURCE_OFFSET, Long.toString(in.offset()).getBytes(UTF_8));
        headers.add(DlqHeaders.SOURCE_TIMESTAMP, Long.toString(in.timestamp()).getBytes(UTF_8));
        return headers;
    }

    /** A JSON array of the violations, as many as fit in {@link DlqHeaders#MAX_DETAILS_BYTES}. */
    static byte[] details(List<Violation> violations) {
        JsonStringEncoder json = JsonStringEncoder.getInstance();
        StringBuilder out = new StringBuilder("[");
        for (Violation v : violations) {
            String item = "{\"path\":\"" + new String(json.quoteAsString(v.path()))
                    + "\",\"keyword\":\"" + new String(json.quoteAsString(v.keyword()))
                    + "\",\"message\":\"" + new String(json.quoteAsString(v.message())) + "\"}";
            if ((out.length() + item.length() + 2) * 3 > DlqHeaders.MAX_DETAILS_BYTES) {
                break; // three bytes per char bounds the UTF-8 size without encoding twice
            }
            out.append(out.length() > 1 ? "," : "").append(item);
        }
        return out.append(']').toString().getBytes(UTF_8);
    }

    static byte[] truncateUtf8(String text, int maxBytes) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ');
        byte[] bytes = oneLine.getBytes(UTF_8);
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        int end = maxBytes - 3;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // do not cut a character in two
        }
        byte[] cut = Arrays.copyOf(bytes, end + 3);
        cut[end] = '.';
        cut[end + 1] = '.';
        cut[end + 2] = '.';
        return cut;
    }

    private static int headersSize(Headers headers) {
        int size = 0;
        for (Header h : headers) {
            size += h.key().length() + length(h.value()) + 10;
        }
        return size;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }
}
