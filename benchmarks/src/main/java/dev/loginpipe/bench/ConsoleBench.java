package dev.loginpipe.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loginpipe.common.DlqHeaders;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The DLQ console at scale: a fresh broker, a DLQ of N records as the consumer writes them (several reasons and
 * signatures, error.at over two days), then {@code dlq-console.jar} in {@code -Xmx256m}. Measures the time
 * from start until the signatures answer (and add up to N), the latency of pages of records, and the console's
 * memory. Not a test: run it with {@code ./bench.sh console [--records N]}.
 */
public final class ConsoleBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGES = 20;
    private static final long TWO_DAYS = 48 * 3_600_000L;
    private static final String[] SCHEMA_DETAILS = {
        "[{\"path\":\"/ip\",\"keyword\":\"format\",\"message\":\"/ip: does not match the ipv4 pattern\"}]",
        "[{\"path\":\"/locale\",\"keyword\":\"maxLength\",\"message\":\"/locale: must be at most 2 characters long\"}]",
        "[{\"path\":\"/device_type\",\"keyword\":\"required\",\"message\":\"required property 'device_type' not found\"}]",
        "[{\"path\":\"/events/3/ip\",\"keyword\":\"format\",\"message\":\"/events/3/ip: does not match\"}]",
    };

    private ConsoleBench() {
    }

    public static void main(String[] args) throws Exception {
        long records = 1_000_000;
        String heap = "256m";
        List<String> brokerArgs = new ArrayList<>(List.of("--port", "19192", "--controller-port", "19193",
                "--work-dir", ".local/bench-console"));
        int consolePort = 19190;
        int httpPort = 19191;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--records" -> records = Long.parseLong(args[++i]);
                case "--heap" -> heap = args[++i];
                case "--jars" -> brokerArgs.addAll(List.of("--jars", args[++i]));
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; usage: ConsoleBench [--records N] [--heap 256m] [--jars DIR]");
            }
        }
        BenchOptions options = BenchOptions.parse(brokerArgs.toArray(String[]::new));
        String topic = "user-login-dlq";
        String output = "processed-user-login";
        try (LocalBroker broker = LocalBroker.start(options)) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap()))) {
                admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1), new NewTopic(output, 3, (short) 1)))
                        .all().get();
            }
            long loadStart = System.nanoTime();
            load(options.bootstrap(), topic, records);
            loadOutput(options.bootstrap(), output, records);
            System.out.printf("loaded %,d DLQ records and %,d output records in %.1f s%n", records, records,
                    seconds(loadStart));

            Path jar = options.jarDir().resolve("dlq-console/target/dlq-console.jar");
            long start = System.nanoTime();
            try (ChildJvm console = ChildJvm.start("dlq-console", options.workDir().resolve("logs"),
                    List.of("-Xmx" + heap, "-jar", jar.toString()),
                    Map.of("BOOTSTRAP_SERVERS", options.bootstrap(), "DLQ_TOPIC", topic, "INSTANCE_ID", "bench",
                            "OUTPUT_TOPIC", output, "CONSOLE_PORT", Integer.toString(consolePort), "HTTP_PORT", Integer.toString(httpPort),
                            "LOG_SUMMARY_SECONDS", "0",
                            // The console's dry run is recorded in the signed trail: without a key it is refused.
                            "REDRIVE_AUDIT_KEY", "bench-audit-key-" + java.util.UUID.randomUUID()))) {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + consolePort;
                while (status(http, "http://127.0.0.1:" + httpPort + "/health/ready") != 200) {
                    Thread.sleep(100);
                }
                double ready = seconds(start);
                long signaturesStart = System.nanoTime();
                JsonNode signatures = JSON.readTree(get(http, base + "/api/signatures"));
                double signaturesMs = seconds(signaturesStart) * 1000;
                double[] again = new double[5];
                for (int i = 0; i < again.length; i++) {
                    long t = System.nanoTime();
                    get(http, base + "/api/signatures");
                    again[i] = seconds(t) * 1000;
                }
                long total = 0;
                for (JsonNode s : signatures) {
                    total += s.get("count").asLong();
                }
                // With CONSOLE_INDEX_MAX_RECORDS below the DLQ's size the index holds the newest part, and says so.
                JsonNode summary = JSON.readTree(get(http, base + "/api/summary"));
                long indexed = summary.get("total").asLong();
                if (total != indexed || summary.get("dlq_records").asLong() != records) {
                    throw new IllegalStateException("signatures count " + total + " records, the index " + indexed
                            + ", the DLQ holds " + records + " (the console says " + summary.get("dlq_records") + ")");
                }
                if (indexed < records) {
                    System.out.println("index cap reached: " + summary.get("index_note").asText());
                }
                double[] first = pages(http, base + "/api/records?limit=50&signature=" + signatures.get(0).get("id").asText(), false);
                double[] deep = pages(http, base + "/api/records?limit=50&signature=" + signatures.get(0).get("id").asText(), true);
                double[] text = pages(http, base + "/api/records?limit=50&text=user_id", false);
                long dryStart = System.nanoTime();
                JsonNode dry = post(http, base + "/api/dry-run", "{}");
                double dryRun = seconds(dryStart);
                if (!dry.has("would_pass")) {
                    throw new IllegalStateException("the dry run answered " + dry);
                }
                System.out.printf("%n| DLQ records | console heap | signatures ready after start | GET /api/signatures first / p50 "
                        + "| records page (first) p50 / max | records page (walking back) p50 / max "
                        + "| text-filtered page p50 / max | dry run of the whole DLQ | console peak RSS |%n"
                        + "|---:|---|---:|---:|---:|---:|---:|---:|---:|%n");
                System.out.printf("| %,d | -Xmx%s | %.1f s | %.0f / %.0f ms | %.0f / %.0f ms | %.0f / %.0f ms | %.0f / %.0f ms "
                                + "| %.1f s (%d would pass) | %d MB |%n", records, heap, ready + signaturesMs / 1000, signaturesMs, median(again),
                        median(first), max(first), median(deep), max(deep), median(text), max(text), dryRun,
                        dry.get("would_pass").asLong(), console.peakRssBytes() / (1024 * 1024));
                // The backtest of today's schema reads every output record and the whole DLQ: twice the dry run.
                long backtestStart = System.nanoTime();
                JsonNode started = post(http, base + "/api/backtest", JSON.createObjectNode()
                        .put("schema", java.nio.file.Files.readString(Path.of("schema.json")))
                        .put("output_records", Long.toString(records)).toString());
                JsonNode backtest = started;
                while (backtest.get("state").asText().equals("running")) {
                    Thread.sleep(50);
                    backtest = JSON.readTree(get(http, base + "/api/backtest"));
                }
                double backtestSeconds = seconds(backtestStart);
                if (!backtest.get("state").asText().equals("done")) {
                    throw new IllegalStateException("the backtest answered " + backtest);
                }
                JsonNode found = backtest.get("result");
                System.out.printf("%nbacktest of today's schema over %,d output and %,d DLQ records: %.1f s "
                                + "(%,.0f records/s; %s)%n", found.get("output_read").asLong(), found.get("dlq_read").asLong(),
                        backtestSeconds, (found.get("output_read").asLong() + found.get("dlq_read").asLong()) / backtestSeconds,
                        found.get("verdict").asText());
                System.out.printf("%d signatures; machine: %d CPUs, load average %s%n", signatures.size(),
                        Runtime.getRuntime().availableProcessors(),
                        java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim());
            }
        }
    }

    /** DLQ records as the consumer writes them: 70% schema (four signatures), 20% not-json, 5% not-utf8, 5% foreign. */
    private static void load(String bootstrap, String topic, long count) {
        Random random = new Random(42);
        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < count; i++) {
                int kind = random.nextInt(100);
                String value = "{\"user_id\":\"" + java.util.UUID.randomUUID() + "\",\"app_version\":\"1.4.2\","
                        + "\"device_type\":\"android\",\"ip\":\"999.1.1." + (i % 256) + "\",\"locale\":\"en\","
                        + "\"device_id\":\"d-" + i + "\",\"timestamp\":" + (now / 1000) + "}";
                RecordHeaders headers = new RecordHeaders();
                if (kind < 95) {
                    String reason = kind < 70 ? "schema" : kind < 90 ? "not-json" : "not-utf8";
                    header(headers, DlqHeaders.SOURCE_TOPIC, "user-login");
                    header(headers, DlqHeaders.SOURCE_PARTITION, Integer.toString((int) (i % 3)));
                    header(headers, DlqHeaders.SOURCE_OFFSET, Long.toString(i));
                    header(headers, DlqHeaders.ERROR_REASON, reason);
                    header(headers, DlqHeaders.ERROR_MESSAGE, "bad event");
                    // Dead-lettered as they arrive, over the last two days: error.at grows with the offset.
                    header(headers, DlqHeaders.ERROR_AT, Long.toString(now - (count - i) * TWO_DAYS / count));
                    if (reason.equals("schema")) {
                        header(headers, DlqHeaders.ERROR_DETAILS, SCHEMA_DETAILS[kind % SCHEMA_DETAILS.length]);
                    } else if (reason.equals("not-json")) {
                        value = value.substring(0, 40);
                    }
                }
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                if (kind >= 90 && kind < 95) {
                    bytes[10] = (byte) 0xFF;
                }
                producer.send(new ProducerRecord<>(topic, null, ("k" + i).getBytes(StandardCharsets.UTF_8), bytes, headers));
            }
        }
    }

    private static void header(RecordHeaders headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Latencies in ms of {@link #PAGES} pages: the first page again and again, or walking back with the cursor. */
    private static double[] pages(HttpClient http, String url, boolean walk) throws Exception {
        double[] ms = new double[PAGES];
        String next = null;
        for (int i = 0; i < PAGES; i++) {
            long start = System.nanoTime();
            JsonNode page = JSON.readTree(get(http, url + (walk && next != null ? "&before=" + next : "")));
            ms[i] = seconds(start) * 1000;
            next = page.get("next").isNull() ? null : page.get("next").asText();
        }
        return ms;
    }

    private static JsonNode post(HttpClient http, String url, String body) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .header("X-Console-Request", "1").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Valid events, as the consumers copy them to the output topic. */
    private static void loadOutput(String bootstrap, String topic, long count) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, SampleEvents.valid(i)));
            }
        }
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private static int status(HttpClient http, String url) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (java.io.IOException notYet) {
            return 0;
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }
}
