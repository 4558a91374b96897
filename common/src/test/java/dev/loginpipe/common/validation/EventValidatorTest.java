package dev.loginpipe.common.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventValidatorTest {
    static final EventValidator VALIDATOR = EventValidator.load(EventValidator.BUNDLED);
    static final String VALID = "{\"user_id\":\"u-1\",\"app_version\":\"2.3.0\",\"device_type\":\"android\","
            + "\"ip\":\"10.0.0.1\",\"locale\":\"RU\",\"device_id\":\"d-1\",\"timestamp\":1700000000}";

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String with(String field, String json) {
        return VALID.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\d+)", "\"" + field + "\":" + json);
    }

    static String without(String field) {
        return VALID.replaceFirst(",?\"" + field + "\":(\"[^\"]*\"|\\d+)", "").replace("{,", "{");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            VALID,
            "  {\"user_id\":\"Ünïcödé-用户-🎉\",\"app_version\":\"2.3.0\",\"device_type\":\"iOS\",\"ip\":\"255.255.255.255\","
                    + "\"locale\":\"日本\",\"device_id\":\"d\",\"timestamp\":0}\n",
            "{\"timestamp\":9223372036854775807,\"device_id\":\"x\",\"locale\":\"en\",\"ip\":\"0.0.0.0\","
                    + "\"device_type\":\"web\",\"app_version\":\"1\",\"user_id\":\"x\"}"})
    void acceptsValidEvents(String event) {
        assertThat(VALIDATOR.validate(utf8(event))).isEqualTo(ValidationResult.VALID);
    }

    static Stream<Arguments> schemaViolations() {
        return Stream.of(
                Arguments.of(without("user_id"), "/user_id", "required"),
                Arguments.of(without("app_version"), "/app_version", "required"),
                Arguments.of(without("device_type"), "/device_type", "required"),
                Arguments.of(without("ip"), "/ip", "required"),
                Arguments.of(without("locale"), "/locale", "required"),
                Arguments.of(without("device_id"), "/device_id", "required"),
                Arguments.of(without("timestamp"), "/timestamp", "required"),
                Arguments.of(with("ip", "\"999.1.1.1\""), "/ip", "format"),
                Arguments.of(with("ip", "\"1.2.3\""), "/ip", "format"),
                Arguments.of(with("ip", "\"2001:db8::1\""), "/ip", "format"),
                Arguments.of(with("ip", "17"), "/ip", "type"),
                Arguments.of(with("locale", "\"R\""), "/locale", "minLength"),
                Arguments.of(with("locale", "\"RUS\""), "/locale", "maxLength"),
                Arguments.of(with("timestamp", "\"1700000000\""), "/timestamp", "type"),
                Arguments.of(with("timestamp", "1.5"), "/timestamp", "type"),
                Arguments.of(with("timestamp", "-1"), "/timestamp", "minimum"),
                Arguments.of(with("user_id", "null"), "/user_id", "type"),
                Arguments.of(with("user_id", "\"\""), "/user_id", "minLength"),
                Arguments.of(with("device_id", "{}"), "/device_id", "type"),
                Arguments.of(VALID.replace("}", ",\"extra\":1}"), "/extra", "additionalProperties"),
                Arguments.of("[]", "", "type"),
                Arguments.of("\"a string\"", "", "type"),
                Arguments.of("42", "", "type"),
                Arguments.of("null", "", "type"));
    }

    @ParameterizedTest
    @MethodSource("schemaViolations")
    void reportsEachSchemaViolationWithItsPointerAndKeyword(String event, String path, String keyword) {
        ValidationResult result = VALIDATOR.validate(utf8(event));
        assertThat(result.reason()).isEqualTo(Reason.SCHEMA);
        assertThat(result.violations()).extracting(Violation::path, Violation::keyword)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(path, keyword));
        assertThat(result.message()).startsWith("1 schema violation: ");
    }

    @Test
    void listsEveryViolationOfOneEvent() {
        String event = "{\"user_id\":\"u\",\"ip\":\"999.1.1.1\",\"locale\":\"RUS\",\"timestamp\":\"x\"}";
        assertThat(VALIDATOR.validate(utf8(event)).violations()).extracting(Violation::path)
                .containsExactly("/app_version", "/device_id", "/device_type", "/ip", "/locale", "/timestamp");
    }

    static Stream<Arguments> nonSchemaFailures() {
        return Stream.of(
                Arguments.of(null, Reason.EMPTY),
                Arguments.of(new byte[0], Reason.EMPTY),
                Arguments.of(new byte[] {(byte) 0xC3}, Reason.NOT_UTF8),                       // truncated sequence
                Arguments.of(new byte[] {'{', (byte) 0xC0, (byte) 0xAF, '}'}, Reason.NOT_UTF8), // overlong '/'
                Arguments.of(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, Reason.NOT_UTF8), // surrogate
                Arguments.of(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, Reason.NOT_UTF8),
                Arguments.of(new byte[] {(byte) 0xFF, '{', '}'}, Reason.NOT_UTF8),
                Arguments.of(utf8("   "), Reason.NOT_JSON),
                Arguments.of(utf8("not json"), Reason.NOT_JSON),
                Arguments.of(utf8(VALID.substring(0, 40)), Reason.NOT_JSON),
                Arguments.of(utf8(VALID + "}"), Reason.NOT_JSON),
                Arguments.of(utf8(VALID + " {}"), Reason.NOT_JSON),
                Arguments.of(utf8(with("timestamp", "NaN")), Reason.NOT_JSON),
                Arguments.of(utf8(VALID.replace("}", ",\"user_id\":\"again\"}")), Reason.NOT_JSON),
                Arguments.of(utf8("{\"a\":1,}"), Reason.NOT_JSON));
    }

    @ParameterizedTest
    @MethodSource("nonSchemaFailures")
    void classifiesBytesThatAreNotAnEvent(byte[] value, Reason reason) {
        ValidationResult result = VALIDATOR.validate(value);
        assertThat(result.reason()).isEqualTo(reason);
        assertThat(result.message()).isNotBlank().doesNotContain("\n");
        assertThat(result.violations()).isEmpty();
    }

    static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void aLongStringTheSchemaAllowsIsValid() {
        String longId = "d".repeat(100_000);
        assertThat(VALIDATOR.validate(utf8(with("device_id", "\"" + longId + "\"")))).isEqualTo(ValidationResult.VALID);
    }

    @Test
    void longNumbersAreJsonAndOnlyTheirSchemaDecides() {
        String twoHundredDigits = "1" + "0".repeat(199);
        assertThat(VALIDATOR.validate(utf8(with("timestamp", twoHundredDigits)))).isEqualTo(ValidationResult.VALID);
        ValidationResult fraction = VALIDATOR.validate(utf8(with("timestamp", "0." + "5".repeat(200))));
        assertThat(fraction.reason()).isEqualTo(Reason.SCHEMA);
        assertThat(fraction.violations()).extracting(Violation::keyword).containsExactly("type");
    }

    @Test
    void nestingUpToTheLimitIsJsonButNotAnEvent() {
        assertThat(VALIDATOR.validate(utf8(nested(EventValidator.DEFAULT_MAX_JSON_DEPTH))).reason())
                .isEqualTo(Reason.SCHEMA);
    }

    @ParameterizedTest
    @ValueSource(ints = {EventValidator.DEFAULT_MAX_JSON_DEPTH + 1, 5000})
    void nestingBeyondTheLimitIsLimitsNamingTheDepthAndTheSetting(int depth) {
        ValidationResult result = VALIDATOR.validate(utf8(nested(depth)));
        assertThat(result.reason()).isEqualTo(Reason.LIMITS);
        assertThat(result.message()).isEqualTo("nesting depth " + depth + " exceeds MAX_JSON_DEPTH "
                + EventValidator.DEFAULT_MAX_JSON_DEPTH);
        assertThat(result.position()).isEqualTo((long) EventValidator.DEFAULT_MAX_JSON_DEPTH); // the bracket too many
    }

    @Test
    void theDepthLimitIsConfigurable() {
        EventValidator shallow = EventValidator.load(EventValidator.BUNDLED, 3);
        assertThat(shallow.validate(utf8(nested(3))).reason()).isEqualTo(Reason.SCHEMA);
        assertThat(shallow.validate(utf8(nested(4))).message()).isEqualTo("nesting depth 4 exceeds MAX_JSON_DEPTH 3");
        assertThat(EventValidator.load(EventValidator.BUNDLED, 3).validate(utf8(nested(4))).reason()).isEqualTo(Reason.LIMITS);
        assertThat(EventValidator.load(EventValidator.BUNDLED, 3).validate(utf8(VALID))).isEqualTo(ValidationResult.VALID);
    }

    @Test
    void aNumberLongerThanTheGuardIsLimitsNotJson() {
        ValidationResult result = VALIDATOR.validate(utf8(with("timestamp", "1".repeat(EventValidator.MAX_NUMBER_LENGTH + 1))));
        assertThat(result.reason()).isEqualTo(Reason.LIMITS);
        assertThat(result.message()).isEqualTo("a number longer than 1000 characters exceeds the validator's limit");
    }

    @Test
    void aStackOverflowInTheSchemaLibraryIsLimitsAndDoesNotEscape(@TempDir Path dir) throws Exception {
        Path tree = dir.resolve("tree.json");
        Files.writeString(tree, "{\"items\":{\"$ref\":\"#\"}}");
        EventValidator permissive = EventValidator.load(tree.toString(), 100_000);

        ValidationResult result = permissive.validate(utf8(nested(50_000)));

        assertThat(result.reason()).isEqualTo(Reason.LIMITS);
        assertThat(result.exception()).isEqualTo(StackOverflowError.class.getName());
        assertThat(result.message()).isEqualTo("validating nesting depth 50000 overflowed the thread's stack; "
                + "MAX_JSON_DEPTH 100000 is too high for this schema");
        assertThat(permissive.validate(utf8(nested(50)))).isEqualTo(ValidationResult.VALID);
    }

    @Test
    void aDocumentTheSchemaLibraryFailsOnIsLimits(@TempDir Path dir) throws Exception {
        Path multiple = dir.resolve("multiple.json");
        Files.writeString(multiple, "{\"multipleOf\":7}");

        ValidationResult result = EventValidator.load(multiple.toString()).validate(utf8("1e400"));

        assertThat(result.reason()).isEqualTo(Reason.LIMITS);
        assertThat(result.message()).startsWith("the validator cannot check this document: ");
        assertThat(result.exception()).isNotNull();
    }

    @Test
    void notJsonCarriesTheByteOffsetWhereParsingStopped() {
        // é is 2 bytes, 日 and 本 3, 🎉 4: the stray x is at byte 20 (character 15).
        ValidationResult result = VALIDATOR.validate(utf8("{\"é日\":\"本🎉\", x}"));
        assertThat(result.reason()).isEqualTo(Reason.NOT_JSON);
        assertThat(result.position()).isEqualTo(20L);
        assertThat(VALIDATOR.validate(utf8("{\"日本\":1,}")).position()).isEqualTo(12L);
        assertThat(VALIDATOR.validate(new byte[] {'"', (byte) 0xC3, (byte) 0xA9, (byte) 0xFF, '"'}).position())
                .isEqualTo(3L);
        assertThat(VALIDATOR.validate(utf8("   ")).position()).isNull();
        assertThat(VALIDATOR.validate(utf8(with("ip", "\"999.1.1.1\""))).position()).isNull();
    }

    @Test
    void utf8CheckAcceptsEveryWellFormedCodePointAndRejectsLoneContinuationBytes() {
        StringBuilder all = new StringBuilder();
        for (int cp = 0; cp <= 0x10FFFF; cp += 97) {
            if (cp < 0xD800 || cp > 0xDFFF) {
                all.appendCodePoint(cp);
            }
        }
        all.appendCodePoint(0x10FFFF);
        assertThat(Utf8.firstInvalid(utf8(all.toString()))).isEqualTo(-1);
        assertThat(Utf8.firstInvalid(new byte[] {'a', (byte) 0x80})).isEqualTo(1);
    }

    @Test
    void aSchemaThatIsJustTrueOrFalseIsADraft07Schema(@TempDir Path dir) throws Exception {
        Path yes = dir.resolve("true.json");
        Files.writeString(yes, "true");
        Path no = dir.resolve("false.json");
        Files.writeString(no, " false ");

        assertThat(EventValidator.load(yes.toString()).validate(utf8("[1]"))).isEqualTo(ValidationResult.VALID);
        assertThat(EventValidator.load(no.toString()).validate(utf8(VALID)).reason()).isEqualTo(Reason.SCHEMA);

        Path number = dir.resolve("number.json");
        Files.writeString(number, "42");
        assertThatThrownBy(() -> EventValidator.load(number.toString()))
                .hasMessageContaining("is not a valid draft-07 JSON Schema: not a JSON object or boolean");
    }

    @Test
    void loadsASchemaFromAFileAndExplainsBadOnes(@TempDir Path dir) throws Exception {
        Path loose = dir.resolve("loose.json");
        Files.writeString(loose, "{\"type\":\"object\"}");
        assertThat(EventValidator.load(loose.toString()).validate(utf8("{\"any\":1}")).isValid()).isTrue();

        Path notJson = dir.resolve("broken.json");
        Files.writeString(notJson, "{\"type\":");
        assertThatThrownBy(() -> EventValidator.load(notJson.toString()))
                .hasMessageContaining("is not readable JSON");

        Path notSchema = dir.resolve("not-schema.json");
        Files.writeString(notSchema, "{\"type\":\"banana\"}");
        assertThatThrownBy(() -> EventValidator.load(notSchema.toString()))
                .hasMessageContaining("is not a valid draft-07 JSON Schema");

        assertThatThrownBy(() -> EventValidator.load(dir.resolve("missing.json").toString()))
                .hasMessageContaining("no such file");
    }
}
