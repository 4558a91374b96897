package dev.loginpipe.dlq.redrive;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.dlq.replay.ReplaySummary;

/**
 * The console's redrive endpoints, apart from HTTP: one method per route of the console's table, which has already
 * checked who asks (signed in, Host, and for every POST its CSRF checks and a role that may operate). An operator
 * acts on the plans they created, an admin on any. Answers are JSON with a status; a bad request says which field.
 * Until the console has read the audit trail (the brokers out of reach), every endpoint answers 503 with the reason.
 */
public final class RedriveApi {
    /** The fields a POST may carry. */
    public static final Set<String> FIELDS = Set.of("reason", "signature", "since", "until", "to", "rate", "max",
            "stop_loss_percent", "min_sample", "schema_version");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The newest entries a page gets (the verification covers them all). */
    private static final int MAX_ENTRIES = 1_000;

    /** A status and a JSON body. */
    public record Answer(int status, JsonNode body) {
        static Answer error(int status, String message) {
            return new Answer(status, JSON.createObjectNode().put("error", message));
        }
    }

    private final RedriveOpener opener;
    private final String defaultTo;
    private final LedgerLookup ledger;

    /** Without the ledger: no record's history is known. */
    public RedriveApi(RedriveOpener opener, String defaultTo) {
        this(opener, defaultTo, LedgerLookup.NONE);
    }

    public RedriveApi(RedriveOpener opener, String defaultTo, LedgerLookup ledger) {
        this.opener = opener;
        this.defaultTo = defaultTo;
        this.ledger = ledger;
    }

    /** Why redrive cannot be used yet (its audit trail not read), or null once it can. */
    public String unavailable() {
        return opener.unavailable();
    }

    /** Why redrive can record nothing, and so do nothing (no key, or a trail that does not verify), or null. */
    public String readOnly() {
        Redrive redrive = opener.redrive();
        return redrive == null ? null : redrive.readOnly();
    }

    /** Every plan with its progress and outcomes, the allowed targets, and why redrive is read-only; null until
     * the trail is read. */
    public JsonNode plans() {
        Redrive redrive = opener.redrive();
        return redrive == null ? null : plans(redrive);
    }

    private static ObjectNode plans(Redrive redrive) {
        ObjectNode body = JSON.createObjectNode();
        var plans = body.putArray("plans");
        redrive.plans().forEach(p -> plans.add(redrive.json(p)));
        body.put("read_only", redrive.readOnly());
        body.putArray("targets").addAll(redrive.targets().stream().sorted().map(body::textNode).toList());
        return body;
    }

    /** {@code GET /api/plans}. */
    public Answer list() {
        return answer(redrive -> new Answer(200, plans(redrive)));
    }

    /** {@code GET /api/audit}: the newest entries and the verification of them all. */
    public Answer audit() {
        return answer(redrive -> {
            ObjectNode body = JSON.createObjectNode();
            List<JsonNode> entries = redrive.auditEntries();
            body.putArray("entries").addAll(entries.subList(Math.max(0, entries.size() - MAX_ENTRIES),
                    entries.size()));
            body.set("verification", JSON.valueToTree(redrive.verifyAudit().json()));
            return new Answer(200, body);
        });
    }

    /** {@code GET /api/records/{partition}/{offset}/history}. */
    public Answer history(int partition, long offset) {
        return answer(redrive -> new Answer(200, redrive.history(ledger.entry(partition, offset))));
    }

    /** {@code POST /api/plans}: {@code fields} is the body. */
    public Answer create(Map<String, String> fields, Caller caller) {
        return answer(redrive -> new Answer(201, redrive.json(redrive.create(caller.who(), spec(fields)))));
    }

    /** {@code POST /api/plans/dry-run}: what a plan of these fields would publish now. */
    public Answer dryRun(Map<String, String> fields, Caller caller) {
        return answer(redrive -> {
            ReplaySummary summary = redrive.dryRun(caller.who(), spec(fields));
            return new Answer(200, JSON.createObjectNode().put("read", summary.read())
                    .put("would_publish", summary.replayed())
                    .put("skipped_already_replayed", summary.skippedAlreadyReplayed())
                    .put("skipped_truncated", summary.skippedTruncated())
                    .put("skipped_max_replays", summary.skippedMaxReplays())
                    .put("cli", Plan.dryRunCommand(spec(fields))));
        });
    }

    /** {@code POST /api/plans/{id}/{start|pause|resume|cancel}}: by its creator or an admin. */
    public Answer act(String id, String action, Caller caller) {
        return answer(redrive -> {
            Plan owned = redrive.plan(id);
            if (!caller.principal().role().mayActOnAnyPlan() && !caller.created(owned)) {
                return Answer.error(403, id + " was created by " + owned.createdBy()
                        + ": only its creator or an admin may " + action + " it");
            }
            String who = caller.who();
            Plan plan = switch (action) {
                case "start" -> redrive.start(who, id);
                case "pause" -> redrive.pause(who, id);
                case "resume" -> redrive.resume(who, id);
                case "cancel" -> redrive.cancel(who, id);
                default -> throw new IllegalArgumentException("no action " + action);
            };
            return new Answer(200, redrive.json(plan));
        });
    }

    /** 503 until the trail is read; the engine's refusals as statuses. */
    private Answer answer(Function<Redrive, Answer> action) {
        Redrive redrive = opener.redrive();
        if (redrive == null) {
            return Answer.error(503, opener.unavailable());
        }
        try {
            return action.apply(redrive);
        } catch (Redrive.NoSuchPlan e) {
            return Answer.error(404, e.getMessage());
        } catch (IllegalArgumentException e) {
            return Answer.error(400, e.getMessage());
        } catch (Redrive.NotNow e) {
            return Answer.error(409, e.getMessage());
        } catch (Redrive.TrailBusy e) {
            return Answer.error(503, e.getMessage());
        } catch (AuditTrail.ReadOnly e) {
            return Answer.error(403, e.getMessage());
        }
    }

    /**
     * Records the console's own dry run (a prediction by validation) in the trail, before it runs: who and the
     * selection. The console asks {@link #unavailable()} first; a trail that does not answer throws
     * {@link Redrive.TrailBusy}, and then the dry run does not run.
     */
    public void recordDryRun(Map<String, String> selection, Caller caller) {
        ObjectNode fields = JSON.createObjectNode();
        ObjectNode chosen = fields.putObject("selection");
        selection.forEach(chosen::put);
        opener.redrive().record(caller.who(), "dry-run", fields);
    }

    /**
     * Records a backtest started ({@code backtest}, with how many output records) or cancelled
     * ({@code backtest-cancelled}) from the console, before it is: who and the candidate's version.
     */
    public void recordBacktest(String action, String version, String outputRecords, Caller caller) {
        ObjectNode fields = JSON.createObjectNode().put("schema_version", version);
        if (outputRecords != null) {
            fields.put("output_records", outputRecords);
        }
        opener.redrive().record(caller.who(), action, fields);
    }

    /** Records a shadow started or stopped from the console ({@code shadow-started}, {@code shadow-stopped}). */
    public void recordShadow(String action, String version, Caller caller) {
        opener.redrive().record(caller.who(), action, JSON.createObjectNode().put("schema_version", version));
    }

    private PlanSpec spec(Map<String, String> fields) {
        for (String name : fields.keySet()) {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(name + ": not a field of a plan");
            }
        }
        ObjectNode json = JSON.createObjectNode();
        fields.forEach((name, value) -> {
            if (!value.isEmpty()) {
                json.put(name, value);
            }
        });
        for (String time : new String[] {"since", "until"}) {
            if (json.has(time)) {
                json.put(time, epochMillis(time, json.get(time).asText()));
            }
        }
        for (String number : new String[] {"rate", "max", "min_sample", "stop_loss_percent"}) {
            String pattern = number.equals("stop_loss_percent") ? "\\d{1,3}(\\.\\d{1,3})?" : "\\d{1,9}";
            if (json.has(number) && !json.get(number).asText().matches(pattern)) {
                throw new IllegalArgumentException(number + ": expected " + (number.equals("stop_loss_percent")
                        ? "a percentage" : "a whole number"));
            }
        }
        return PlanSpec.of(json, defaultTo);
    }

    private static long epochMillis(String field, String text) {
        try {
            return text.chars().allMatch(Character::isDigit) && text.length() <= 18 ? Long.parseLong(text)
                    : Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + ": expected 2025-01-31T12:00:00Z or epoch milliseconds");
        }
    }
}
