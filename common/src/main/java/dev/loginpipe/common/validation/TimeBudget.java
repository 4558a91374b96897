package dev.loginpipe.common.validation;

import java.util.function.Consumer;

import com.networknt.schema.ExecutionConfig;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.JsonSchemaException;

/**
 * The time one document's check may take, on the thread that checks it. The schema library cannot be stopped from
 * outside, so the check stops itself, at two places: each regular-expression match is given what is left
 * ({@link TimedRegularExpressions}); and every keyword the library evaluates first asks its execution config whether
 * to log for debugging, which this config answers after a look at the clock every {@value #CHECK_EVERY}th time, so a
 * schema that blows up without a pattern (nested {@code anyOf} over {@code $ref}) stops too. One per thread, reused.
 */
final class TimeBudget extends ExecutionConfig implements Consumer<ExecutionContext> {
    private static final ThreadLocal<TimeBudget> OF_THREAD = ThreadLocal.withInitial(TimeBudget::new);
    /** A power of two: a keyword takes tens of nanoseconds, a look at the clock about twenty. */
    private static final int CHECK_EVERY = 64;

    private boolean running;
    private long deadline;
    private int keywords;

    /** Starts the budget of one check on this thread. */
    static TimeBudget start(long nanos) {
        TimeBudget budget = OF_THREAD.get();
        budget.running = true;
        budget.deadline = System.nanoTime() + nanos;
        budget.keywords = 0;
        return budget;
    }

    void end() {
        running = false;
    }

    /** Nanoseconds left on this thread: 0 when none are, -1 (joni's "no limit") outside a check. */
    static long left() {
        TimeBudget budget = OF_THREAD.get();
        return budget.running ? Math.max(0, budget.deadline - System.nanoTime()) : -1;
    }

    /** Judges by this config: the library's own, copied, with the clock check added. */
    @Override
    public void accept(ExecutionContext context) {
        ExecutionConfig made = context.getExecutionConfig();
        setLocale(made.getLocale());
        setFormatAssertionsEnabled(made.getFormatAssertionsEnabled());
        setFailFast(made.isFailFast());
        context.setExecutionConfig(this);
    }

    @Override
    public boolean isDebugEnabled() {
        if (running && (++keywords & (CHECK_EVERY - 1)) == 0 && System.nanoTime() - deadline > 0) {
            throw new Exceeded("the schema's keywords");
        }
        return false;
    }

    /**
     * The budget ran out; {@code what} was running. A {@link JsonSchemaException}, which the library's keywords pass
     * on (they swallow other exceptions of a pattern match, counting the value as matching).
     */
    static final class Exceeded extends JsonSchemaException {
        final String what;

        Exceeded(String what) {
            super("the time budget ran out in " + what);
            this.what = what;
        }
    }
}
