package dev.loginpipe.consumer;

import static dev.loginpipe.consumer.Pipeline.header;
import static dev.loginpipe.consumer.Pipeline.record;
import static dev.loginpipe.consumer.Pipeline.validEvent;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.local.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Valid JSON is never {@code not-json}: long strings and long numbers the schema accepts reach the output, and only
 * the guards that protect the process send a document to the DLQ, as {@code limits}. Through a real broker.
 */
class ValidationLimitsRoutingTest {

    @Test
    void longValidEventsReachTheOutputAndOnlyTheGuardsDeadLetterAsLimits() {
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 1);
        byte[] longDeviceId = validEvent("u-long").replaceFirst("\"device_id\":\"[^\"]*\"",
                "\"device_id\":\"" + "d".repeat(100_000) + "\"").getBytes(UTF_8);
        byte[] longNumber = validEvent("u-number").replaceFirst("\"timestamp\":\\d+",
                "\"timestamp\":1" + "0".repeat(199)).getBytes(UTF_8);
        int depth = EventValidator.DEFAULT_MAX_JSON_DEPTH + 72;
        byte[] deep = ("[".repeat(depth) + "]".repeat(depth)).getBytes(UTF_8);
        byte[] hugeNumber = ("{\"n\":" + "9".repeat(EventValidator.MAX_NUMBER_LENGTH + 1) + "}").getBytes(UTF_8);
        assertThat(new String(longDeviceId, UTF_8)).contains("d".repeat(100_000));
        assertThat(new String(longNumber, UTF_8)).contains("1" + "0".repeat(199));
        pipeline.send(List.of(record(null, longDeviceId), record(null, longNumber), record(null, deep),
                record(null, hugeNumber)));

        List<ConsumerRecord<byte[], byte[]>> output;
        List<ConsumerRecord<byte[], byte[]>> dlq;
        try (Pipeline.InProcess consumer = pipeline.start("limits-1")) {
            output = pipeline.readOutput(2);
            dlq = pipeline.readDlq(2);
            assertThat(consumer.stop()).isZero();
        }

        assertThat(output).extracting(ConsumerRecord::value).containsExactly(longDeviceId, longNumber);
        assertThat(dlq).extracting(ConsumerRecord::value).containsExactly(deep, hugeNumber);
        assertThat(dlq).extracting(r -> header(r, DlqHeaders.ERROR_REASON)).containsExactly("limits", "limits");
        assertThat(header(dlq.get(0), DlqHeaders.ERROR_MESSAGE))
                .isEqualTo("nesting depth " + depth + " exceeds MAX_JSON_DEPTH " + EventValidator.DEFAULT_MAX_JSON_DEPTH);
        assertThat(header(dlq.get(1), DlqHeaders.ERROR_MESSAGE)).contains("a number longer than 1000 characters");
        pipeline.assertExactlyOnce(4);
    }
}
