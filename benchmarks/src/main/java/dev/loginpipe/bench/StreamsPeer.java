package dev.loginpipe.bench;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import dev.loginpipe.common.DlqHeaders;
import dev.loginpipe.common.ErrorText;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.ValidationResult;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The Kafka Streams peer the harness measures loginpipe against: the same job in a Streams topology (validate each
 * value with {@code common}'s validator; valid to the output topic, anything else to the DLQ with the source headers
 * and {@code error.reason}/{@code error.message}), exactly_once_v2, one thread. Everything else is Streams' default
 * unless given as {@code PROPERTY=VALUE} (e.g. {@code producer.batch.size=262144}).
 */
public final class StreamsPeer {
    static final String USAGE = "Usage: StreamsPeer BOOTSTRAP INPUT OUTPUT DLQ APPLICATION_ID STATE_DIR [PROPERTY=VALUE]...";
    private static final String OUTPUT = "output";
    private static final String DLQ = "dlq";

    private StreamsPeer() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 6) {
            System.err.println(USAGE);
            System.exit(2);
        }
        Properties config = new Properties();
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, args[4]);
        config.put(StreamsConfig.STATE_DIR_CONFIG, Path.of(args[5]).toAbsolutePath().toString());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        for (String property : Arrays.copyOfRange(args, 6, args.length)) {
            String[] nameValue = property.split("=", 2);
            if (nameValue.length != 2) {
                System.err.println("StreamsPeer: '" + property + "' is not PROPERTY=VALUE\n" + USAGE);
                System.exit(2);
            }
            config.put(nameValue[0], nameValue[1]);
        }

        EventValidator validator = EventValidator.load(EventValidator.BUNDLED);
        Topology topology = new Topology()
                .addSource("input", new ByteArrayDeserializer(), new ByteArrayDeserializer(), args[1])
                .addProcessor("route", () -> new Route(validator), "input")
                .addSink(OUTPUT, args[2], new ByteArraySerializer(), new ByteArraySerializer(), "route")
                .addSink(DLQ, args[3], new ByteArraySerializer(), new ByteArraySerializer(), "route");

        KafkaStreams streams = new KafkaStreams(topology, config);
        CountDownLatch failed = new CountDownLatch(1);
        streams.setUncaughtExceptionHandler(error -> {
            System.out.println("streams-peer: " + ErrorText.of(error));
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.setStateListener((now, before) -> {
            System.out.println("streams-peer: " + now);
            if (now == KafkaStreams.State.ERROR) {
                failed.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(streams::close, "streams-peer-stop"));
        streams.start();
        failed.await(); // SIGTERM ends the JVM through the shutdown hook; only an error gets past this
        System.exit(1);
    }

    /** One record: validate, add the provenance (and error) headers, forward to the output or the DLQ sink. */
    static final class Route implements Processor<byte[], byte[], byte[], byte[]> {
        private final EventValidator validator;
        private ProcessorContext<byte[], byte[]> context;

        Route(EventValidator validator) {
            this.validator = validator;
        }

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> in) {
            RecordMetadata source = context.recordMetadata().orElseThrow();
            Headers headers = new RecordHeaders();
            for (Header h : in.headers()) {
                if (!DlqHeaders.isContractHeader(h.key())) {
                    headers.add(h);
                }
            }
            headers.add(DlqHeaders.SOURCE_TOPIC, source.topic().getBytes(UTF_8));
            headers.add(DlqHeaders.SOURCE_PARTITION, Integer.toString(source.partition()).getBytes(UTF_8));
            headers.add(DlqHeaders.SOURCE_OFFSET, Long.toString(source.offset()).getBytes(UTF_8));
            headers.add(DlqHeaders.SOURCE_TIMESTAMP, Long.toString(in.timestamp()).getBytes(UTF_8));
            ValidationResult result = validator.validate(in.value());
            if (result.isValid()) {
                context.forward(in.withHeaders(headers), OUTPUT);
                return;
            }
            headers.add(DlqHeaders.ERROR_REASON, result.reason().label().getBytes(UTF_8));
            headers.add(DlqHeaders.ERROR_MESSAGE, oneLine(result.message()));
            context.forward(in.withHeaders(headers), DLQ);
        }

        /** The message on one line, within the contract's bound (three bytes per char bounds its UTF-8 size). */
        private static byte[] oneLine(String message) {
            String line = message.replace('\n', ' ').replace('\r', ' ');
            int max = DlqHeaders.MAX_MESSAGE_BYTES / 3;
            if (line.length() > max) {
                int end = Character.isHighSurrogate(line.charAt(max - 1)) ? max - 1 : max;
                line = line.substring(0, end);
            }
            return line.getBytes(UTF_8);
        }
    }
}
