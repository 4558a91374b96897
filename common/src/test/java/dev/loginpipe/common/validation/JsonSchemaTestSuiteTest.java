package dev.loginpipe.common.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official JSON-Schema-Test-Suite (draft-07, vendored under test resources with its license): every schema is
 * written to a file and loaded as {@code SCHEMA_PATH} loads one, every instance is serialised to UTF-8 bytes and
 * validated as the consumer validates a record value. Their {@code $ref}s name http://localhost:1234/, which the
 * validator is given as references from the suite's {@code remotes/} folder (it fetches nothing itself).
 */
class JsonSchemaTestSuiteTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SUITE = resource("json-schema-test-suite");
    private static final Path DRAFT7 = SUITE.resolve("tests/draft7");
    /** Optional format cases that passed when this test was written; fewer means the library got worse. */
    private static final int FORMAT_CASES_PASSING = 623;
    /** The same for ECMA-262 regular expressions ({@code ecmascript-regex.json}, {@code non-bmp-regex.json}). */
    private static final int REGEX_CASES_PASSING = 86;

    @TempDir
    static Path schemas;
    private static final Map<String, String> REMOTES = new TreeMap<>();
    private static int schemaFiles;
    /** Each schema file is loaded once, by its first case (a failure to load fails every case of it). */
    private static final Map<Path, EventValidator> LOADED = new ConcurrentHashMap<>();

    /**
     * The suite's remote documents by the IRI its {@code $ref}s name: given to the validator as references, since it
     * never fetches a {@code $ref} from the network.
     */
    @BeforeAll
    static void readRemotes() throws IOException {
        Path folder = SUITE.resolve("remotes");
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                REMOTES.put("http://localhost:1234/" + folder.relativize(file).toString().replace('\\', '/'),
                        Files.readString(file));
            }
        }
    }

    /** Every required draft-07 case: a container per file, one per schema, a test per instance. */
    @TestFactory
    Stream<DynamicNode> requiredDraft07Cases() throws IOException {
        try (Stream<Path> files = Files.list(DRAFT7)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream()
                    .map(file -> DynamicContainer.dynamicContainer(file.getFileName().toString(),
                            groups(file).stream().map(JsonSchemaTestSuiteTest::container)));
        }
    }

    private static DynamicContainer container(Group group) {
        return DynamicContainer.dynamicContainer(group.description(), group.cases().stream()
                .map(c -> DynamicTest.dynamicTest(c.description(), () -> assertThat(verdict(group, c))
                        .as("%s / %s: %s", group.description(), c.description(), c.instance())
                        .isEqualTo(c.valid()))));
    }

    /**
     * Optional cases, reported rather than all required: {@code format} (fewer passing than today, or any {@code ipv4}
     * case failing, fails: the pipeline's own schema relies on it) and ECMA-262 regular expressions.
     */
    @Test
    void optionalFormatCases() throws IOException {
        Map<String, int[]> byFile = summary(DRAFT7.resolve("optional/format"));
        assertThat(byFile.get("ipv4.json")[0]).isEqualTo(byFile.get("ipv4.json")[1]);
        assertThat(passed(byFile)).isGreaterThanOrEqualTo(FORMAT_CASES_PASSING);
    }

    @Test
    void optionalRegexCases() throws IOException {
        assertThat(passed(summary(DRAFT7.resolve("optional")))).isGreaterThanOrEqualTo(REGEX_CASES_PASSING);
    }

    /** Runs the cases of each file directly in {@code folder}, prints the pass counts and what failed. */
    private static Map<String, int[]> summary(Path folder) throws IOException {
        Map<String, int[]> byFile = new TreeMap<>();
        List<String> failed = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                int[] counts = byFile.computeIfAbsent(file.getFileName().toString(), f -> new int[2]);
                for (Group group : groups(file)) {
                    for (Case c : group.cases()) {
                        counts[1]++;
                        if (verdictOrFailure(group, c)) {
                            counts[0]++;
                        } else {
                            failed.add(file.getFileName() + ": " + group.description() + " / " + c.description());
                        }
                    }
                }
            }
        }
        System.out.printf("optional cases in %s: %d of %d pass%n", DRAFT7.relativize(folder), passed(byFile),
                byFile.values().stream().mapToInt(c -> c[1]).sum());
        byFile.forEach((file, c) -> System.out.printf("  %-28s %3d of %3d%n", file, c[0], c[1]));
        failed.forEach(f -> System.out.println("  failed: " + f));
        return byFile;
    }

    private static int passed(Map<String, int[]> byFile) {
        return byFile.values().stream().mapToInt(c -> c[0]).sum();
    }

    private static boolean verdictOrFailure(Group group, Case c) {
        try {
            return verdict(group, c) == c.valid();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean verdict(Group group, Case c) {
        EventValidator validator = LOADED.computeIfAbsent(group.schemaFile(), f -> load(f));
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(c.instance());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return validator.validate(value).isValid();
    }

    /** As {@code SCHEMA_PATH} loads a file, with the suite's remotes as the references. */
    private static EventValidator load(Path schemaFile) {
        try {
            return EventValidator.compile(JSON.readTree(schemaFile.toFile()), schemaFile.toString(), REMOTES,
                    EventValidator.DEFAULT_MAX_JSON_DEPTH);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Case(String description, JsonNode instance, boolean valid) {
    }

    record Group(String description, Path schemaFile, List<Case> cases) {
    }

    /** The groups of one suite file, each schema written to a file of its own. */
    private static List<Group> groups(Path file) {
        try {
            List<Group> groups = new ArrayList<>();
            for (JsonNode group : JSON.readTree(file.toFile())) {
                Path schemaFile = schemas.resolve("schema-" + ++schemaFiles + ".json");
                Files.write(schemaFile, JSON.writeValueAsBytes(group.get("schema")));
                List<Case> cases = new ArrayList<>();
                for (JsonNode test : group.get("tests")) {
                    cases.add(new Case(test.get("description").asText(), test.get("data"), test.get("valid").asBoolean()));
                }
                groups.add(new Group(group.get("description").asText(), schemaFile, cases));
            }
            return groups;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(JsonSchemaTestSuiteTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
