package dev.loginpipe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The monitoring profile's Prometheus config and Grafana dashboard. */
class MonitoringTest {
    private static final String DASHBOARD = "monitoring/grafana/dashboards/loginpipe.json";

    @Test
    void prometheusConfigIsValidAndScrapesEveryService() {
        Repo.requireTool("promtool", "prometheus");
        Repo.Result result = Repo.run("promtool", "check", "config", "monitoring/prometheus.yml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(Repo.read("monitoring/prometheus.yml"))
                .contains("producer:8080", "consumer-1:8080", "consumer-2:8080", "consumer-3:8080", "dlq-consumer:8080");
    }

    @Test
    void dashboardHasThePanelsTheIssueAsksFor() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Repo.read(DASHBOARD));
        List<String> titles = new ArrayList<>();
        dashboard.path("panels").forEach(p -> titles.add(p.path("title").asText()));
        assertThat(titles).contains("Throughput", "DLQ rate by reason", "Consumer lag", "End-to-end latency",
                "Transaction aborts");
        assertThat(queries(dashboard)).contains("loginpipe_records_consumed_total", "loginpipe_output_records_total",
                "loginpipe_dlq_records_total", "loginpipe_consumer_lag_records",
                "loginpipe_end_to_end_latency_seconds", "loginpipe_transactions_aborted_total");
    }

    /** A dashboard that queries a name nobody exports shows "No data" forever; the services' code must name it. */
    @Test
    void dashboardQueriesOnlyMetricsTheServicesExport() throws IOException {
        String sources = serviceSources();
        Set<String> unknown = new TreeSet<>(queries(new ObjectMapper().readTree(Repo.read(DASHBOARD))));
        unknown.removeIf(name -> sources.contains('"' + name + '"'));
        assertThat(unknown).as("metrics in the dashboard that no service declares").isEmpty();
    }

    /** Metric names in the dashboard's queries, without the _bucket/_sum/_count suffixes of histograms. */
    private static Set<String> queries(JsonNode dashboard) {
        Set<String> names = new TreeSet<>();
        Pattern metric = Pattern.compile("loginpipe_[a-z0-9_]+");
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> {
            Matcher m = metric.matcher(t.path("expr").asText());
            while (m.find()) {
                names.add(m.group().replaceAll("_(bucket|sum|count)$", ""));
            }
        }));
        return names;
    }

    private static String serviceSources() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String module : List.of("common", "consumer", "producer", "dlq-consumer", "dlq-console")) {
            Path main = Repo.file(module + "/src/main/java");
            if (!Files.isDirectory(main)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(main)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    all.append(Files.readString(p));
                }
            }
        }
        return all.toString();
    }
}
