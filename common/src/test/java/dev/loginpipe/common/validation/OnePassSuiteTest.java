package dev.loginpipe.common.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The official JSON-Schema-Test-Suite's draft-07 cases through the one-pass check ({@link OnePassCheck}): wherever a
 * schema compiles to one, no instance it accepts may be one the suite calls invalid or the schema library rejects.
 * Every keyword of the subset must compile in at least one of its file's schemas, and the check must accept most
 * valid instances of the schemas it compiles (else it saves nothing).
 */
class OnePassSuiteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The suite's files of the keywords the check compiles (the subset, as the suite tests each keyword). */
    private static final Set<String> SUBSET = Set.of("type.json", "properties.json", "required.json",
            "additionalProperties.json", "enum.json", "const.json", "pattern.json", "minLength.json", "maxLength.json",
            "minimum.json", "maximum.json", "exclusiveMinimum.json", "exclusiveMaximum.json", "items.json",
            "additionalItems.json", "minItems.json", "maxItems.json", "minProperties.json", "maxProperties.json",
            "ref.json", "boolean_schema.json", "default.json", "optional/format/ipv4.json");

    @Test
    void neverAcceptsWhatTheSuiteOrTheLibraryRejects() throws IOException {
        Path draft7 = resource("json-schema-test-suite/tests/draft7");
        List<Path> files;
        try (Stream<Path> all = Files.walk(draft7)) {
            files = all.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        Map<String, int[]> byFile = new TreeMap<>(); // groups compiled, groups, valid cases accepted, valid cases
        List<String> wrong = new ArrayList<>();
        for (Path file : files) {
            String name = draft7.relativize(file).toString().replace('\\', '/');
            int[] counts = byFile.computeIfAbsent(name, n -> new int[4]);
            for (JsonNode group : JSON.readTree(file.toFile())) {
                counts[1]++;
                EventValidator validator;
                try {
                    validator = EventValidator.compile(group.get("schema"), name, Map.of(),
                            EventValidator.DEFAULT_MAX_JSON_DEPTH);
                } catch (IllegalArgumentException e) {
                    continue; // a remote $ref, or a schema the library refuses: no one-pass check either
                }
                OnePassCheck check = validator.onePass();
                if (check == null) {
                    continue;
                }
                counts[0]++;
                for (JsonNode test : group.get("tests")) {
                    byte[] value = JSON.writeValueAsBytes(test.get("data"));
                    boolean valid = test.get("valid").asBoolean();
                    boolean accepted = check.accepts(value);
                    if (accepted && (!valid || !validator.validateByLibrary(value).isValid())) {
                        wrong.add(name + ": " + group.get("description").asText() + " / "
                                + test.get("description").asText());
                    }
                    if (valid && validator.validateByLibrary(value).isValid()) {
                        counts[3]++;
                        counts[2] += accepted ? 1 : 0;
                    }
                }
            }
        }
        byFile.forEach((file, c) -> System.out.printf("  %-36s compiled %2d of %2d schemas, accepted %3d of %3d valid%n",
                file, c[0], c[1], c[2], c[3]));
        assertThat(wrong).as("accepted by the one-pass check, rejected by the suite or the library").isEmpty();
        for (String file : SUBSET) {
            assertThat(byFile.get(file)[0]).as("schemas of %s compiled", file).isPositive();
        }
        int accepted = SUBSET.stream().mapToInt(f -> byFile.get(f)[2]).sum();
        int valid = SUBSET.stream().filter(f -> byFile.get(f)[0] > 0).mapToInt(f -> byFile.get(f)[3]).sum();
        assertThat(accepted).as("valid cases of the subset's files accepted in one pass").isGreaterThan(valid / 2);
    }

    /** The bundled schema compiles, and the check accepts a valid event. */
    @Test
    void theBundledSchemaIsChecked() {
        EventValidator validator = EventValidator.load(EventValidator.BUNDLED);
        assertThat(validator.onePass()).isNotNull();
        assertThat(validator.onePass().accepts(ValidatorPropertiesTest.VALID)).isTrue();
    }

    private static Path resource(String name) {
        try {
            return Path.of(OnePassSuiteTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
