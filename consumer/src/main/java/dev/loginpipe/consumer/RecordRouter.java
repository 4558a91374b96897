package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.common.validation.Reason;
import dev.loginpipe.common.validation.ValidationResult;
import dev.loginpipe.common.validation.Violation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Decides where one input record goes and builds the record to send there: the output topic for a valid event,
 * the DLQ for anything else. Key, value bytes and the input's own headers travel unchanged; the contract's headers
 * ({@link DlqHeaders}) are added, replacing any the input carried. A DLQ copy always fits the DLQ's size limit: the
 * input's own headers are dropped (largest first), then the key and value cut, and the copy says what was cut.
 * No network; thread-safe. (Not final only so that a test can make routing fail.)
 */
public class RecordRouter {
    /** Bytes Kafka adds around one record and its batch, plus slack; kept free below the size limit. */
    static final int RECORD_OVERHEAD_BYTES = 512;
    /** Room kept for the headers that say what was cut (payload, key, headers: six short headers). */
    private static final int CUT_MARKS_BYTES = 256;
    /** Bounds of one {@code error.details} entry, in characters: property names come from the input. */
    private static final int MAX_DETAIL_PATH_CHARS = 200;
    private static final int MAX_DETAIL_MESSAGE_CHARS = 300;
    private static final int MAX_DETAIL_KEYWORD_CHARS = 50;
    private static final int MAX_EXCEPTION_BYTES = 256;
    /** source.topic, source.partition, source.offset, source.timestamp. */
    private static final int SOURCE_HEADERS = 4;

    private final String outputTopic;
    private final String dlqTopic;
    private final byte[] group;
    private final byte[] instance;
    private volatile int maxOutputRecordBytes;
    private volatile int maxDlqRecordBytes;
    /** The output topic is compacted: the brokers refuse a record without a key there. */
    private volatile boolean outputCompacted;
    /** A candidate schema judging beside the active one, or null. */
    private volatile ShadowSchema shadow;
    /** The input topic's name as bytes, kept from one record to the next (the same topic, in practice). */
    private volatile TopicName sourceTopic = new TopicName("", new byte[0]);
    /** The last timestamp's digits, kept for the next record (records read together mostly share one). */
    private volatile Digits lastTimestamp = new Digits(0, new byte[] {'0'});

    private record TopicName(String name, byte[] bytes) {
    }

    private record Digits(long n, byte[] digits) {
    }

    /** The limits are the largest record the producer and each topic accept (see {@code max.message.bytes}). */
    public RecordRouter(String outputTopic, String dlqTopic, String group, String instance,
                        int maxOutputRecordBytes, int maxDlqRecordBytes) {
        this.outputTopic = outputTopic;
        this.dlqTopic = dlqTopic;
        this.group = group.getBytes(UTF_8);
        this.instance = instance.getBytes(UTF_8);
        limits(maxOutputRecordBytes, maxDlqRecordBytes, false);
    }

    /**
     * What the topics accept, read again e.g. after a topic's {@code max.message.bytes} or {@code cleanup.policy} was
     * changed while running: a record they would refuse is dead-lettered before it is sent, since a refused send costs
     * an aborted transaction.
     */
    void limits(int maxOutputRecordBytes, int maxDlqRecordBytes, boolean outputCompacted) {
        this.maxOutputRecordBytes = maxOutputRecordBytes;
        this.maxDlqRecordBytes = maxDlqRecordBytes;
        this.outputCompacted = outputCompacted;
    }

    /** Judges every record by {@code candidate} too, counting where it disagrees (nothing routes by it). */
    void shadow(ShadowSchema candidate) {
        this.shadow = candidate;
    }

    /** Where a record went and what was sent. */
    public record Routed(ProducerRecord<byte[], byte[]> record, ValidationResult result) {
        public boolean toDlq() {
            return !result.isValid();
        }
    }

    /** Judges {@code in} by {@code schema} (the version of its transaction) and builds the record to send. */
    public Routed route(ConsumerRecord<byte[], byte[]> in, SchemaVersion schema) {
        ValidationResult result = schema.validator().validate(in.value());
        ShadowSchema candidate = shadow;
        if (candidate != null) {
            candidate.observe(in, result);
        }
        if (result.isValid() && in.key() == null && outputCompacted) {
            result = ValidationResult.invalid(Reason.REJECTED, "a valid event without a key, which the compacted "
                    + "output topic " + outputTopic + " refuses (InvalidRecordException)");
        }
        if (result.isValid()) {
            List<Header> headers = ownHeaders(in, SOURCE_HEADERS + schema.headers().size());
            addSource(headers, in);
            headers.addAll(schema.headers());
            int size = RECORD_OVERHEAD_BYTES + length(in.key()) + length(in.value()) + headersSize(headers);
            int max = maxOutputRecordBytes;
            if (size <= max) {
                return new Routed(new ProducerRecord<>(outputTopic, null, null, in.key(), in.value(), headers), result);
            }
            // The output topic would refuse it forever, and the partition would stall.
            result = ValidationResult.invalid(Reason.TOO_LARGE, "a valid event, but the record of about " + size
                    + " bytes exceeds the " + max + " bytes the output topic accepts");
        }
        return deadLetter(in, result, schema);
    }

    /**
     * The DLQ copy of {@code in} for this verdict, reached while {@code schema} judged its transaction; it fits the
     * DLQ's size limit whatever the input holds.
     */
    public Routed deadLetter(ConsumerRecord<byte[], byte[]> in, ValidationResult result, SchemaVersion schema) {
        List<Header> contract = new ArrayList<>(SOURCE_HEADERS + 8);
        addSource(contract, in);
        contract.add(new RecordHeader(DlqHeaders.ERROR_REASON, result.reason().label().getBytes(UTF_8)));
        contract.add(new RecordHeader(DlqHeaders.ERROR_MESSAGE, truncateUtf8(result.message(), DlqHeaders.MAX_MESSAGE_BYTES)));
        if (!result.violations().isEmpty()) {
            contract.add(new RecordHeader(DlqHeaders.ERROR_DETAILS, details(result.violations())));
        }
        if (result.exception() != null) {
            contract.add(new RecordHeader(DlqHeaders.ERROR_EXCEPTION, truncateUtf8(result.exception(), MAX_EXCEPTION_BYTES)));
        }
        if (result.position() != null) {
            contract.add(new RecordHeader(DlqHeaders.ERROR_POSITION, decimal(result.position())));
        }
        contract.add(new RecordHeader(DlqHeaders.ERROR_AT, decimal(System.currentTimeMillis())));
        contract.add(new RecordHeader(DlqHeaders.ERROR_GROUP, group));
        contract.add(new RecordHeader(DlqHeaders.ERROR_INSTANCE, instance));
        contract.addAll(schema.headers());

        byte[] key = in.key();
        byte[] value = in.value();
        int room = Math.max(0, maxDlqRecordBytes - RECORD_OVERHEAD_BYTES - CUT_MARKS_BYTES - headersSize(contract));
        int payload = length(key) + length(value);
        // The input's headers keep what the whole payload leaves; when the payload must be cut anyway, a quarter.
        int headerRoom = payload <= room ? room - payload : room / 4;
        List<Header> own = ownHeaders(in, 0);
        int dropped = dropLargestUntilFits(own, headerRoom);
        RecordHeaders headers = new RecordHeaders();
        own.forEach(headers::add);
        contract.forEach(headers::add);
        if (dropped > 0) {
            headers.add(DlqHeaders.HEADERS_TRUNCATED, "true".getBytes(UTF_8));
            headers.add(DlqHeaders.HEADERS_DROPPED, Integer.toString(dropped).getBytes(UTF_8));
        }
        int payloadRoom = Math.max(0, room - headersSize(own));
        if (payload > payloadRoom) {
            if (length(key) > payloadRoom / 2) {
                headers.add(DlqHeaders.KEY_TRUNCATED, "true".getBytes(UTF_8));
                headers.add(DlqHeaders.KEY_SIZE, Integer.toString(key.length).getBytes(UTF_8));
                key = Arrays.copyOf(key, payloadRoom / 2); // only a key of half the room or more is cut
            }
            if (length(value) > payloadRoom - length(key)) {
                headers.add(DlqHeaders.PAYLOAD_TRUNCATED, "true".getBytes(UTF_8));
                headers.add(DlqHeaders.PAYLOAD_SIZE, Integer.toString(value.length).getBytes(UTF_8));
                value = Arrays.copyOf(value, payloadRoom - length(key));
            }
        }
        return new Routed(new ProducerRecord<>(dlqTopic, null, key, value, headers), result);
    }

    /** Removes the largest headers until the rest take at most {@code room} bytes; returns how many it removed. */
    private static int dropLargestUntilFits(List<Header> headers, int room) {
        int size = headersSize(headers);
        if (size <= room) {
            return 0;
        }
        List<Header> largestFirst = new ArrayList<>(headers);
        largestFirst.sort(Comparator.comparingInt(RecordRouter::headerSize).reversed());
        int dropped = 0;
        for (Header h : largestFirst) {
            if (size <= room) {
                break;
            }
            headers.remove(h);
            size -= headerSize(h);
            dropped++;
        }
        return dropped;
    }

    /** The input's headers without any of the contract's names, in a list with room for {@code more}. */
    private static List<Header> ownHeaders(ConsumerRecord<byte[], byte[]> in, int more) {
        Header[] all = in.headers().toArray();
        List<Header> headers = new ArrayList<>(all.length + more);
        for (Header h : all) {
            if (!DlqHeaders.isContractHeader(h.key())) {
                headers.add(h);
            }
        }
        return headers;
    }

    /**
     * Where the record came from; numbers written as ASCII digits straight into bytes (this runs per record). Records
     * read together mostly share a timestamp, so its digits are kept from one record to the next (header values are
     * only read by the producer, so sharing the array is safe).
     */
    private void addSource(List<Header> headers, ConsumerRecord<byte[], byte[]> in) {
        TopicName topic = sourceTopic;
        if (!topic.name().equals(in.topic())) {
            topic = new TopicName(in.topic(), in.topic().getBytes(UTF_8));
            sourceTopic = topic;
        }
        Digits timestamp = lastTimestamp;
        if (timestamp.n() != in.timestamp()) {
            timestamp = new Digits(in.timestamp(), decimal(in.timestamp()));
            lastTimestamp = timestamp;
        }
        headers.add(new RecordHeader(DlqHeaders.SOURCE_TOPIC, topic.bytes()));
        headers.add(new RecordHeader(DlqHeaders.SOURCE_PARTITION, decimal(in.partition())));
        headers.add(new RecordHeader(DlqHeaders.SOURCE_OFFSET, decimal(in.offset())));
        headers.add(new RecordHeader(DlqHeaders.SOURCE_TIMESTAMP, timestamp.digits()));
    }

    /** The decimal digits of {@code n}, as {@code Long.toString(n).getBytes(US_ASCII)} without the String. */
    static byte[] decimal(long n) {
        if (n < 0) {
            return Long.toString(n).getBytes(US_ASCII); // never for offsets, partitions or timestamps Kafka writes
        }
        int digits = 1;
        for (long power = 10; power <= n && digits < 19; power *= 10) {
            digits++;
        }
        byte[] out = new byte[digits];
        int i = digits;
        for (; n > Integer.MAX_VALUE; n /= 10) {
            out[--i] = (byte) ('0' + n % 10);
        }
        for (int m = (int) n; i > 0; m /= 10) { // int arithmetic for the last nine or ten digits
            out[--i] = (byte) ('0' + m % 10);
        }
        return out;
    }

    /**
     * A JSON array of the violations, as many as fit in {@link DlqHeaders#MAX_DETAILS_BYTES}. Each entry's path,
     * keyword and message are cut to a bound first, so the first violation always fits.
     */
    static byte[] details(List<Violation> violations) {
        JsonStringEncoder json = JsonStringEncoder.getInstance();
        List<byte[]> items = new ArrayList<>(violations.size());
        int length = 2; // [ ]
        for (Violation v : violations) {
            byte[] item = ("{\"path\":\"" + new String(json.quoteAsString(cut(v.path(), MAX_DETAIL_PATH_CHARS)))
                    + "\",\"keyword\":\"" + new String(json.quoteAsString(cut(v.keyword(), MAX_DETAIL_KEYWORD_CHARS)))
                    + "\",\"message\":\"" + new String(json.quoteAsString(cut(v.message(), MAX_DETAIL_MESSAGE_CHARS)))
                    + "\"}").getBytes(UTF_8);
            int needed = item.length + (items.isEmpty() ? 0 : 1);
            if (length + needed > DlqHeaders.MAX_DETAILS_BYTES) {
                break;
            }
            items.add(item);
            length += needed;
        }
        byte[] out = new byte[length]; // sized exactly: a DLQ copy is built per record
        out[0] = '[';
        int at = 1;
        for (byte[] item : items) {
            if (at > 1) {
                out[at++] = ',';
            }
            System.arraycopy(item, 0, out, at, item.length);
            at += item.length;
        }
        out[at] = ']';
        return out;
    }

    /** At most {@code max} characters, never half a surrogate pair, with "..." when cut. */
    private static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 4)) ? max - 4 : max - 3;
        return text.substring(0, end) + "...";
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

    private static int headersSize(Iterable<Header> headers) {
        int size = 0;
        for (Header h : headers) {
            size += headerSize(h);
        }
        return size;
    }

    /** Upper bound of one header's bytes in a record: UTF-8 key, value, and their two length varints. */
    private static int headerSize(Header h) {
        return utf8Length(h.key()) + length(h.value()) + 10;
    }

    /** Bytes of the UTF-8 encoding (a key that was not UTF-8 reads back as U+FFFD, three bytes each). */
    static int utf8Length(String s) {
        int bytes = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                // 2 bytes below U+0800, else 3; a surrogate pair is 4 bytes for two chars
                bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
            }
        }
        return bytes;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }
}
