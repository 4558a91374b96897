package dev.loginpipe.common.validation;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.networknt.schema.JsonSchema;

/**
 * Whether a schema checks in bounded time, asked before it may judge: each of its regular expressions is matched
 * against values built to make a backtracking matcher explode (a long run of one character the pattern names, then
 * one that fits nowhere), and the schema checks documents nested deep (where {@code anyOf} over {@code $ref} can
 * branch at every level); each within the budget of one record. What this misses, the per-record budget still stops.
 */
final class SlowSchemaProbe {
    /** Long enough for exponential backtracking to never end, short enough for a cubic one to pass. */
    static final int RUN = 1_000;
    /** Nesting of the probe documents: exponential blow-ups show far below it; the schema library recurses per level. */
    private static final int DEPTH = 64;
    /** Characters tried besides the pattern's own. */
    private static final String COMMON = "aA0 _-.@";
    /** What ends each run: characters that few patterns accept after a run. */
    private static final String[] ENDS = {"!", "\u0001"};

    private SlowSchemaProbe() {
    }

    /** What ran out of the budget, for a message, or null when every probe ended within it. */
    static String firstTooSlow(JsonSchema schema, List<TimedRegularExpressions.Timed> expressions, int maxJsonDepth,
                               long budgetNanos) {
        for (TimedRegularExpressions.Timed expression : expressions) {
            String slow = tooSlow(expression, budgetNanos);
            if (slow != null) {
                return slow;
            }
        }
        int depth = Math.min(maxJsonDepth, DEPTH);
        JsonNodeFactory json = JsonNodeFactory.instance;
        JsonNode arrays = json.nullNode();
        JsonNode objects = json.nullNode();
        for (int i = 1; i < depth; i++) {
            arrays = json.arrayNode().add(arrays);
            objects = json.objectNode().set("a", objects);
        }
        for (JsonNode document : List.of(arrays, objects)) {
            TimeBudget budget = TimeBudget.start(budgetNanos);
            try {
                schema.validate(document, budget);
            } catch (TimeBudget.Exceeded e) {
                return "its keywords on a document nested " + depth + " deep";
            } catch (RuntimeException | StackOverflowError e) {
                // a verdict, not a hang: records like it get theirs when they come
            } finally {
                budget.end();
            }
        }
        return null;
    }

    private static String tooSlow(TimedRegularExpressions.Timed expression, long budgetNanos) {
        String tried = expression.source() + COMMON;
        for (int i = 0; i < tried.length(); i++) {
            char c = tried.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) || tried.indexOf(c) < i) {
                continue;
            }
            for (String end : ENDS) {
                TimeBudget budget = TimeBudget.start(budgetNanos);
                try {
                    expression.matches(String.valueOf(c).repeat(RUN) + end);
                } catch (TimeBudget.Exceeded e) {
                    return expression.shown() + " on " + RUN + " times '" + c + "' and " + (end.equals("!") ? "'!'"
                            : "U+0001");
                } finally {
                    budget.end();
                }
            }
        }
        return null;
    }
}
