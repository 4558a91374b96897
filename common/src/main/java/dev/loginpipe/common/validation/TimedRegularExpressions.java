package dev.loginpipe.common.validation;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.networknt.schema.regex.JoniRegularExpressionFactory;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import org.joni.Matcher;
import org.joni.Option;
import org.joni.Regex;

/**
 * The schema library's joni expressions (ECMA-262, as JSON Schema specifies), each match limited to what is left of
 * the check's {@link TimeBudget}: joni's backtracking matcher looks at the clock as it goes and gives up at the limit,
 * where {@code "^(a+)+$"} on forty characters would run for hours. The expressions a schema compiles are kept for the
 * admission probe ({@link SlowSchemaProbe}). One per schema.
 */
final class TimedRegularExpressions implements RegularExpressionFactory {
    /** The library's compiled joni expression; its compile (syntax, encoding, checks) is used unchanged. */
    private static final Field JONI_REGEX;

    static {
        try {
            JONI_REGEX = JoniRegularExpressionFactory.getInstance().getRegularExpression("a").getClass()
                    .getDeclaredField("pattern");
            JONI_REGEX.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("json-schema-validator's joni expression changed: " + e);
        }
    }

    /**
     * The schema's expressions by source, until {@link #compiled()}: later, {@code "format": "regex"} compiles the
     * values it checks.
     */
    private Map<String, Timed> compiled = new LinkedHashMap<>();

    @Override
    public RegularExpression getRegularExpression(String regex) {
        RegularExpression joni = JoniRegularExpressionFactory.getInstance().getRegularExpression(regex);
        Timed timed;
        try {
            timed = new Timed((Regex) JONI_REGEX.get(joni), regex);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        if (compiled != null) {
            compiled.putIfAbsent(regex, timed);
        }
        return timed;
    }

    /** The expressions the schema compiled; later ones are not kept. */
    List<Timed> compiled() {
        List<Timed> all = List.copyOf(compiled.values());
        compiled = null;
        return all;
    }

    /** One expression; {@code matches} throws {@link TimeBudget.Exceeded} when the check's budget runs out. */
    record Timed(Regex regex, String source) implements RegularExpression {
        private static final int MAX_SHOWN_CHARS = 100;

        @Override
        public boolean matches(String value) {
            long left = TimeBudget.left();
            if (left == 0) {
                throw new TimeBudget.Exceeded(shown());
            }
            byte[] bytes = value.getBytes(UTF_8);
            Matcher matcher = regex.matcher(bytes, 0, bytes.length, left);
            int at = matcher.search(0, bytes.length, Option.NONE);
            if (at == Matcher.INTERRUPTED) {
                throw new TimeBudget.Exceeded(shown());
            }
            return at >= 0;
        }

        /** For messages: the pattern as written, cut. */
        String shown() {
            return "pattern \"" + (source.length() <= MAX_SHOWN_CHARS ? source
                    : source.substring(0, MAX_SHOWN_CHARS) + "...") + "\"";
        }
    }
}
