package dev.loginpipe.common.validation;

import java.util.List;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.JsonSchema;

/**
 * Whether a schema checks in bounded time, asked before it may judge: each of its regular expressions is matched
 * against values built to make a backtracking matcher explode (a long run of one character the pattern names, then
 * one that fits nowhere), and the schema checks documents nested deep (where {@code anyOf} over {@code $ref} can
 * branch at every level); each within the budgets of one record (a probe that runs out is tried once more, with ten
 * times the time, like a record). What this misses, the per-record budget still stops.
 */
final class SlowSchemaProbe {
    /** Long enough for exponential backtracking to never end, short enough for a quadratic one to pass. */
    static final int RUN = 1_000;
    /** Nesting of the probe documents: exponential blow-ups show far below it (the library recurses per level). */
    private static final int DEPTH = 64;
    /** Characters tried besides the pattern's own. */
    private static final String COMMON = "aA0 _-.@";
    /** What ends each run: characters that few patterns accept after a run. */
    private static final String[] ENDS = {"!", "\u0001"};

    private SlowSchemaProbe() {
    }

    /** What ran out of the budget, for a message, or null when every probe ended within it. */
    static String firstTooSlow(JsonSchema schema, List<TimedRegularExpressions.Timed> expressions, int maxJsonDepth) {
        for (TimedRegularExpressions.Timed expression : expressions) {
            String slow = tooSlow(expression);
            if (slow != null) {
                return slow;
            }
        }
        int depth = Math.min(maxJsonDepth, DEPTH);
        JsonNodeFactory json = JsonNodeFactory.instance;
        JsonNode arrays = json.nullNode();
        JsonNode objects = json.nullNode();
        for (int i = 0; i < depth; i++) {
            arrays = json.arrayNode().add(arrays);
            objects = json.objectNode().set("a", objects);
        }
        for (JsonNode document : List.of(arrays, objects)) {
            if (runsOutTwice(budget -> schema.validate(document, budget))) {
                return "its keywords on a document nested " + depth + " deep";
            }
        }
        return null;
    }

    private static String tooSlow(TimedRegularExpressions.Timed expression) {
        String tried = expression.source() + COMMON;
        for (int i = 0; i < tried.length(); i++) {
            char c = tried.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) || tried.indexOf(c) < i) {
                continue;
            }
            for (String end : ENDS) {
                String value = String.valueOf(c).repeat(RUN) + end;
                if (runsOutTwice(budget -> expression.matches(value))) {
                    return expression.shown() + " on " + RUN + " times '" + c + "' and " + (end.equals("!") ? "'!'"
                            : "U+0001");
                }
            }
        }
        return null;
    }

    private static boolean runsOutTwice(Consumer<TimeBudget> check) {
        for (long budgetNanos : new long[] {EventValidator.RECORD_BUDGET_NANOS, EventValidator.RECHECK_BUDGET_NANOS}) {
            TimeBudget budget = TimeBudget.start(budgetNanos);
            try {
                check.accept(budget);
                return false;
            } catch (TimeBudget.Exceeded e) {
                // once more
            } catch (RuntimeException | StackOverflowError e) {
                return false; // a verdict, not a hang: records like it get theirs when they come
            } finally {
                budget.end();
            }
        }
        return true;
    }
}
