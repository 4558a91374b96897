package dev.loginpipe.common.validation;

import static dev.loginpipe.common.validation.EventValidatorTest.utf8;
import static dev.loginpipe.common.validation.EventValidatorTest.with;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A schema whose check does not end: the probe keeps out the plain cases before the schema may judge, and the
 * per-record budget stops the rest with the verdict {@code too-slow}; without either these tests would run for hours
 * (the timeout turns a hang into a failure, it measures nothing).
 */
@Timeout(120)
class TimeBudgetTest {
    /** {@code user_id} under a pattern that backtracks exponentially on runs of "ab" not followed by the end. */
    private static final String AB_RUNS = "^((ab)+)+$";

    @Test
    void aSchemaWithACatastrophicPatternIsKeptOutByTheProbe() {
        for (String pattern : new String[] {"^(a+)+$", "^(\\\\w+\\\\s?)*$", "^([a-z0-9]+)*$",
                "^(\\\\d+\\\\.?)+$", "^(a|aa)+$"}) {
            assertThatThrownBy(() -> compile(userIdPattern(pattern)))
                    .isInstanceOf(EventValidator.TooSlow.class)
                    .hasMessageContaining("checks too slowly: pattern \"" + pattern.replace("\\\\", "\\"))
                    .hasMessageEndingWith("took longer than 100 ms, and once more than 1000 ms");
        }
    }

    @Test
    void keywordsThatBranchAtEveryLevelAreKeptOutByTheProbe() {
        String schema = "{\"anyOf\":[{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}},"
                + "{\"type\":\"array\",\"items\":{\"$ref\":\"#\"}}]}";
        assertThatThrownBy(() -> compile(schema)).isInstanceOf(EventValidator.TooSlow.class)
                .hasMessageContaining("its keywords on a document nested 64 deep");
    }

    @Test
    void aPatternTheProbeMissesIsStoppedOnTheRecordThatTriggersIt() throws Exception {
        EventValidator validator = compile(userIdPattern(AB_RUNS));
        ValidationResult evil = validator.validate(utf8(with("user_id", "\"" + "ab".repeat(40) + "!\"")));
        assertThat(evil.reason()).isEqualTo(Reason.TOO_SLOW);
        assertThat(evil.message()).isEqualTo("checking it took longer than 100 ms, and once more than 1000 ms "
                + "(in pattern \"" + AB_RUNS + "\"); the schema needs a fix");
        // The same thread goes on with a budget of its own for each record.
        assertThat(validator.validate(utf8(with("user_id", "\"abab\"")))).isEqualTo(ValidationResult.VALID);
        assertThat(validator.validate(utf8(with("user_id", "\"abc\""))).reason()).isEqualTo(Reason.SCHEMA);
    }

    @Test
    void keywordsTheProbeMissesAreStoppedOnTheRecordThatTriggersThem() throws Exception {
        // Only objects with an "n" recurse, and both branches fail on the innermost: 2^depth evaluations.
        EventValidator validator = compile("{\"type\":\"object\",\"required\":[\"n\"],\"properties\":"
                + "{\"n\":{\"anyOf\":[{\"$ref\":\"#\"},{\"$ref\":\"#\"}]}}}");
        String nested = "{\"n\":".repeat(60) + "{}" + "}".repeat(60);
        ValidationResult evil = validator.validate(utf8(nested));
        assertThat(evil.reason()).isEqualTo(Reason.TOO_SLOW);
        assertThat(evil.message()).contains("(in the schema's keywords)");
        assertThat(validator.validate(utf8("{\"n\":{\"n\":{}}}")).reason()).isEqualTo(Reason.SCHEMA);
    }

    @Test
    void outsideACheckAMatchHasNoLimit() throws Exception {
        TimedRegularExpressions expressions = new TimedRegularExpressions();
        assertThat(expressions.getRegularExpression("^(ab)+$").matches("abab")).isTrue();
        assertThat(TimeBudget.left()).isEqualTo(-1);
    }

    private static String userIdPattern(String pattern) {
        return "{\"type\":\"object\",\"properties\":{\"user_id\":{\"type\":\"string\",\"pattern\":\"" + pattern
                + "\"}},\"required\":[\"user_id\"]}";
    }

    private static EventValidator compile(String schema) throws Exception {
        JsonNode node = new ObjectMapper().readTree(schema);
        return EventValidator.compile(node, "test", Map.of(), EventValidator.DEFAULT_MAX_JSON_DEPTH);
    }
}
