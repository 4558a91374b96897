package dev.loginpipe.common.schema;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema text to a version, or the reason it cannot be one; no network, no broker. */
class SchemaCandidateTest {
    private static final String CITY = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
            + "\"required\":[\"city\"]}";

    @Test
    void theFingerprintIsTheCanonicalJsonsNotTheTexts() throws Exception {
        String a = SchemaCandidate.fingerprint(SchemaCandidate.parse("{\"type\":\"object\",\"required\":[\"a\"]}", "a"));
        String b = SchemaCandidate.fingerprint(SchemaCandidate.parse("{ \"required\" : [\"a\"],\n \"type\":\"object\" }", "b"));
        String c = SchemaCandidate.fingerprint(SchemaCandidate.parse("{\"type\":\"object\",\"required\":[\"b\"]}", "c"));
        assertThat(a).hasSize(12).matches("[0-9a-f]{12}").isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void aRefIsResolvedFromTheReferencesByName() throws Exception {
        EventValidator validator = SchemaCandidate.compile(SchemaCandidate.parse(
                "{\"type\":\"object\",\"properties\":{\"address\":{\"$ref\":\"address.json\"}}}", "root"), "root",
                Map.of(EventValidator.BASE_IRI.resolve("address.json").toString(), CITY), 64);
        assertThat(validator.validate("{\"address\":{\"city\":\"Lyon\"}}".getBytes(UTF_8)).isValid()).isTrue();
        assertThat(validator.validate("{\"address\":{}}".getBytes(UTF_8)).reason()).isEqualTo(Reason.SCHEMA);
    }

    @Test
    void aRefToAnythingElseIsUnresolvableAndNeverFetched() throws Exception {
        for (String ref : new String[] {"address.json", "http://127.0.0.1:1/x.json", "file:///etc/passwd"}) {
            var schema = SchemaCandidate.parse("{\"properties\":{\"a\":{\"$ref\":\"" + ref + "\"}}}", "root");
            assertThatThrownBy(() -> SchemaCandidate.compile(schema, "root", Map.of(), 64))
                    .isInstanceOfSatisfying(UnusableSchema.class,
                            e -> assertThat(e.reason).isEqualTo(UnusableSchema.Reason.UNRESOLVABLE_REF))
                    .hasMessageContaining("unresolvable $ref");
        }
    }

    @Test
    void aSchemaWhoseCheckDoesNotEndInTimeIsUnusable() throws Exception {
        var slow = SchemaCandidate.parse("{\"properties\":{\"user_id\":{\"pattern\":\"^(a+)+$\"}}}", "slow");
        assertThatThrownBy(() -> SchemaCandidate.compile(slow, "slow", Map.of(), 64))
                .isInstanceOfSatisfying(UnusableSchema.class,
                        e -> assertThat(e.reason).isEqualTo(UnusableSchema.Reason.TOO_SLOW))
                .hasMessageContaining("slow checks too slowly: pattern \"^(a+)+$\"");
        // Known now: the same text is refused again at once, without its probes.
        assertThatThrownBy(() -> SchemaCandidate.compile(slow.deepCopy(), "slow", Map.of(), 64))
                .isInstanceOfSatisfying(UnusableSchema.class,
                        e -> assertThat(e.reason).isEqualTo(UnusableSchema.Reason.TOO_SLOW));
    }

    @Test
    void notJsonAndNotASchemaAreToldApart() throws Exception {
        assertThatThrownBy(() -> SchemaCandidate.parse("{\"type\":", "x"))
                .isInstanceOfSatisfying(UnusableSchema.class,
                        e -> assertThat(e.reason).isEqualTo(UnusableSchema.Reason.NOT_JSON));
        var notASchema = SchemaCandidate.parse("{\"type\":\"record\",\"fields\":[]}", "x");
        assertThatThrownBy(() -> SchemaCandidate.compile(notASchema, "x", Map.of(), 64))
                .isInstanceOfSatisfying(UnusableSchema.class,
                        e -> assertThat(e.reason).isEqualTo(UnusableSchema.Reason.NOT_A_SCHEMA))
                .hasMessageContaining("not a valid draft-07 JSON Schema");
    }

    @Test
    void aFileIsTheSameVersionUntilItsSchemaChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("schema.json");
        Files.writeString(file, CITY);
        SchemaFile source = new SchemaFile(file.toString(), 64);
        SchemaVersion first = source.next(null);
        assertThat(first.id()).isNull();
        assertThat(first.headers()).hasSize(1);
        Files.writeString(file, CITY.replace(",", ",\n  "));
        assertThat(source.next(first)).isSameAs(first);
        Files.writeString(file, CITY.replace("\"city\"]", "\"town\"]"));
        SchemaVersion second = source.next(first);
        assertThat(second.version()).isNotEqualTo(first.version());
        Files.writeString(file, "{\"type\": ");
        assertThatThrownBy(() -> source.next(second)).isInstanceOfSatisfying(UnusableSchema.class,
                e -> assertThat(e.reason).isEqualTo(UnusableSchema.Reason.NOT_JSON));
        Files.delete(file);
        assertThatThrownBy(() -> source.next(second)).isInstanceOfSatisfying(UnusableSchema.class,
                e -> assertThat(e.reason).isEqualTo(UnusableSchema.Reason.UNREACHABLE));
    }

    @Test
    void textFromElsewhereIsOneBoundedLine() {
        String shown = UnusableSchema.safe("a\nb\u0000c" + "x".repeat(1000));
        assertThat(shown).startsWith("a?b?c").endsWith("...").hasSize(UnusableSchema.MAX_MESSAGE_CHARS + 3);
    }
}
