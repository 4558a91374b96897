package dev.loginpipe.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.loginpipe.local.TestKafka;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** A stream of random bytes and broken events never stalls the consumer: all of it is routed, once. */
class ArbitraryInputTest {

    @Test
    void randomRecordsAreAllRoutedExactlyOnce() {
        Random random = new Random(42);
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(200);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            byte[] value = switch (i % 4) {
                case 0 -> bytes.sample();
                case 1 -> text.sample().getBytes(UTF_8);
                case 2 -> mutate(Pipeline.validEvent("u" + i).getBytes(UTF_8), random);
                default -> Pipeline.validEvent("u" + i).getBytes(UTF_8);
            };
            records.add(Pipeline.record(random.nextBoolean() ? bytes.sample() : null, value));
        }
        Pipeline pipeline = new Pipeline(TestKafka.shared().bootstrapServers(), 3);
        pipeline.send(records);
        try (Pipeline.InProcess consumer = pipeline.start("fuzz")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> consumer.metrics.consumed.get() >= 3_000);
            assertThat(consumer.metrics.aborted.get()).as("no input makes a transaction fail").isZero();
        }
        pipeline.assertExactlyOnce(3_000);
        assertThat(pipeline.readOutput(750)).hasSizeGreaterThanOrEqualTo(750);
    }

    private static byte[] mutate(byte[] event, Random random) {
        byte[] copy = event.clone();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
    }
}
