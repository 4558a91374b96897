package dev.loginpipe.dlq.console;

import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.dlq.console.access.Principal;
import dev.loginpipe.dlq.backtest.CandidateSchema;

/** What the console's endpoints answer, apart from HTTP: one method per endpoint. */
final class ConsoleApi {
    /** The newest output records a backtest reads unless asked for another number. */
    static final long DEFAULT_BACKTEST_RECORDS = 100_000;
    private final String topic;
    private final DlqIndex index;
    private final Signatures signatures;
    private final ReplayedRecords replayed;
    private final int maxReplays;
    private final Health health;
    private final RecordPages pages;
    private final RecordDetail detail;
    private final DryRun dryRun;
    private final Candidates candidates;
    private final int maxJsonDepth;
    private final ObjectMapper json;

    /** What tries a candidate schema: a backtest, a shadow, and the records they find, viewed as it judges them. */
    record Candidates(Config config, ConsoleBacktest backtest, ConsoleShadow shadow, CandidateExamples examples) {
    }

    ConsoleApi(String topic, DlqIndex index, Signatures signatures, ReplayedRecords replayed, int maxReplays,
               Health health, RecordPages pages, RecordDetail detail, DryRun dryRun,
               Candidates candidates, int maxJsonDepth, ObjectMapper json) {
        this.topic = topic;
        this.index = index;
        this.signatures = signatures;
        this.replayed = replayed;
        this.maxReplays = maxReplays;
        this.health = health;
        this.pages = pages;
        this.detail = detail;
        this.dryRun = dryRun;
        this.candidates = candidates;
        this.maxJsonDepth = maxJsonDepth;
        this.json = json;
    }

    /**
     * The DLQ's counts ({@code total} what the index holds, {@code dlq_records} what the DLQ holds: more once the cap
     * is reached), and who is asking with what they may do (the page shows only that).
     */
    ObjectNode summary(Principal principal) {
        ObjectNode out = json.createObjectNode().put("topic", topic).put("total", index.size())
                .put("ready", health.isReady()).put("masked", principal.masked()).put("max_replays", maxReplays)
                .put("dlq_records", index.size() + index.leftOut()).put("index_note", indexNote());
        out.putObject("user").put("name", principal.name()).put("role", principal.role().label())
                .put("may_operate", principal.role().mayOperate())
                .put("may_act_on_any_plan", principal.role().mayActOnAnyPlan());
        return out;
    }

    /** What the page says while the cap leaves records out of the index, or null. */
    private String indexNote() {
        long leftOut = index.leftOut();
        return leftOut == 0 ? null : "The DLQ holds about " + (index.size() + leftOut) + " records; the console "
                + "indexes the newest " + index.size() + " (CONSOLE_INDEX_MAX_RECORDS=" + index.maxRecords() + "): the "
                + leftOut + " older ones are left out of its lists, counts and dry runs. A redrive plan reads the DLQ "
                + "itself and selects them too.";
    }

    ArrayNode signatures() {
        return SignatureStats.compute(index, signatures, replayed, maxReplays, System.currentTimeMillis(), json);
    }

    ObjectNode records(Params params, Principal principal) {
        return pages.page(params, new Display(principal.masked()));
    }

    ObjectNode record(int partition, long offset, Principal principal) {
        return detail.of(partition, offset, new Display(principal.masked()));
    }

    ObjectNode dryRun(Params params, Principal principal) {
        return dryRun.run(Selection.of(params), new Display(principal.masked()));
    }

    ObjectNode backtest() {
        return candidates.backtest().state();
    }

    /**
     * Starts a backtest of the pasted {@code schema} over the newest {@code output_records}, once {@code recordFirst}
     * has recorded the candidate's version; null when one runs.
     */
    ObjectNode startBacktest(Map<String, String> fields, Principal principal, Consumer<String> recordFirst) {
        String records = fields.getOrDefault("output_records", Long.toString(DEFAULT_BACKTEST_RECORDS));
        if (!records.matches("[1-9]\\d{0,8}")) {
            throw new BadRequest("output_records: expected an integer from 1 to 999999999");
        }
        CandidateSchema candidate = candidate(fields, Set.of("schema", "registry_version", "output_records"),
                "backtest");
        ConsoleBacktest backtest = candidates.backtest();
        return backtest.start(candidate, Long.parseLong(records), principal.name(),
                () -> recordFirst.accept(candidate.version())) ? backtest.state() : null;
    }

    void cancelBacktest(Consumer<String> recordFirst) {
        candidates.backtest().cancel(recordFirst);
    }

    ObjectNode shadow() {
        return candidates.shadow().state();
    }

    /** Starts a shadow of the pasted {@code schema} on live traffic once recorded; null when one is watching. */
    ObjectNode startShadow(Map<String, String> fields, Principal principal, Consumer<String> recordFirst) {
        CandidateSchema candidate = candidate(fields, Set.of("schema", "registry_version"), "shadow");
        return candidates.shadow().start(candidate, principal.name(), () -> recordFirst.accept(candidate.version()))
                ? candidates.shadow().state() : null;
    }

    /** Stops the shadow watching, once {@code recordFirst} has recorded its version. */
    void stopShadow(Consumer<String> recordFirst) {
        candidates.shadow().stop(recordFirst);
    }

    /**
     * An output record the backtest or the shadow of this version listed as an example, judged by its candidate with
     * its violations marked; null when no record is there. Any other record is a 404: the endpoint shows what a run
     * found, never an output record of the caller's choosing.
     */
    ObjectNode example(String version, int partition, long offset, Principal principal) {
        CandidateSchema candidate = candidates.backtest().listing(version, partition, offset);
        if (candidate == null) {
            candidate = candidates.shadow().listing(version, partition, offset);
        }
        if (candidate == null) {
            throw new NotFound("no backtest or shadow of schema version " + version + " listed output record "
                    + partition + ":" + offset);
        }
        return candidates.examples().of(candidate, partition, offset, new Display(principal.masked()));
    }

    private CandidateSchema candidate(Map<String, String> fields, Set<String> allowed, String what) {
        for (String name : fields.keySet()) {
            if (!allowed.contains(name)) {
                throw new BadRequest(name + ": not a field of a " + what);
            }
        }
        String version = fields.getOrDefault("registry_version", "").strip();
        String schema = fields.getOrDefault("schema", "");
        if (!version.isEmpty() && !schema.isBlank()) {
            throw new BadRequest("paste a schema or name a registry version, not both");
        }
        try {
            return version.isEmpty() ? CandidateSchema.of(schema, "the candidate", maxJsonDepth)
                    : CandidateSchema.ofRegistry(candidates.config(), version);
        } catch (IllegalArgumentException e) {
            throw new BadRequest((version.isEmpty() ? "schema: " : "registry_version: ") + e.getMessage());
        } catch (ConfigException e) {
            throw new BadRequest(e.getMessage());
        }
    }

    /** Answered 404 with its message. */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }
}
