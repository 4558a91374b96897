package dev.loginpipe.dlq.console;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.observability.Health;
import dev.loginpipe.dlq.access.Principal;
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
    private final ConsoleBacktest backtest;
    private final int maxJsonDepth;
    private final ObjectMapper json;

    ConsoleApi(String topic, DlqIndex index, Signatures signatures, ReplayedRecords replayed, int maxReplays,
               Health health, RecordPages pages, RecordDetail detail, DryRun dryRun,
               ConsoleBacktest backtest, int maxJsonDepth, ObjectMapper json) {
        this.topic = topic;
        this.index = index;
        this.signatures = signatures;
        this.replayed = replayed;
        this.maxReplays = maxReplays;
        this.health = health;
        this.pages = pages;
        this.detail = detail;
        this.dryRun = dryRun;
        this.backtest = backtest;
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
        return backtest.state();
    }

    /** Starts a backtest of the pasted {@code schema} over the newest {@code output_records}; null when one runs. */
    ObjectNode startBacktest(Map<String, String> fields, Principal principal) {
        for (String name : fields.keySet()) {
            if (!name.equals("schema") && !name.equals("output_records")) {
                throw new BadRequest(name + ": not a field of a backtest");
            }
        }
        String records = fields.getOrDefault("output_records", Long.toString(DEFAULT_BACKTEST_RECORDS));
        if (!records.matches("[1-9]\\d{0,8}")) {
            throw new BadRequest("output_records: expected an integer from 1 to 999999999");
        }
        CandidateSchema candidate;
        try {
            candidate = CandidateSchema.of(fields.getOrDefault("schema", ""), "the candidate", maxJsonDepth);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("schema: " + e.getMessage());
        }
        return backtest.start(candidate, Long.parseLong(records), principal.name()) ? backtest.state() : null;
    }

    void cancelBacktest() {
        backtest.cancel();
    }
}
