package dev.loginpipe.common.validation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Decides whether a record value is a valid user-login event. The schema is compiled once; a check reads the bytes
 * strictly: well-formed UTF-8, then exactly one JSON document within bounds, then the schema with format assertions
 * on (so {@code 999.1.1.1} is not an IPv4 address). Thread-safe.
 */
public final class EventValidator {
    /** The {@code SCHEMA_PATH} that names the copy of {@code schema.json} inside the jar. */
    public static final String BUNDLED = "classpath:dev/loginpipe/common/schema.json";
    public static final int MAX_NESTING_DEPTH = 32;
    public static final int MAX_STRING_LENGTH = 10_000;

    private static final ObjectReader STRICT_READER = strictReader();

    private final JsonSchema schema;
    private final String source;

    private EventValidator(JsonSchema schema, String source) {
        this.schema = schema;
        this.source = source;
    }

    /** Loads and compiles a draft-07 schema from a file or from {@link #BUNDLED}; the message says what is wrong. */
    public static EventValidator load(String location) {
        JsonNode schemaNode;
        try (InputStream in = open(location)) {
            schemaNode = new ObjectMapper().readTree(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file " + location);
        } catch (IOException e) {
            throw new IllegalArgumentException(location + " is not readable JSON: " + firstLine(e.getMessage()));
        }
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_POINTER)
                .build();
        JsonSchema metaSchema = factory.getSchema(SchemaLocation.of("http://json-schema.org/draft-07/schema#"), config);
        Set<ValidationMessage> schemaErrors = metaSchema.validate(schemaNode);
        if (schemaNode == null || !schemaNode.isObject() || !schemaErrors.isEmpty()) {
            String why = schemaErrors.isEmpty() ? "not a JSON object" : schemaErrors.iterator().next().getMessage();
            throw new IllegalArgumentException(location + " is not a valid draft-07 JSON Schema: " + why);
        }
        JsonSchema compiled = factory.getSchema(schemaNode, config);
        compiled.initializeValidators();
        return new EventValidator(compiled, location);
    }

    public String source() {
        return source;
    }

    /** Classifies one record value; never throws. */
    public ValidationResult validate(byte[] value) {
        if (value == null || value.length == 0) {
            return ValidationResult.invalid(Reason.EMPTY, value == null ? "the value is null" : "the value is empty");
        }
        int bad = Utf8.firstInvalid(value);
        if (bad >= 0) {
            return ValidationResult.invalid(Reason.NOT_UTF8, "ill-formed UTF-8 at byte " + bad);
        }
        JsonNode event;
        try {
            event = STRICT_READER.readTree(value);
        } catch (IOException | RuntimeException e) {
            return new ValidationResult(Reason.NOT_JSON, oneLine("not a single JSON document: " + firstLine(e.getMessage())),
                    List.of(), e.getClass().getName());
        }
        if (event == null || event.isMissingNode()) {
            return ValidationResult.invalid(Reason.NOT_JSON, "no JSON document, only white space");
        }
        Set<ValidationMessage> errors = schema.validate(event);
        if (errors.isEmpty()) {
            return ValidationResult.VALID;
        }
        List<Violation> violations = new ArrayList<>(errors.size());
        for (ValidationMessage m : errors) {
            String path = m.getInstanceLocation().toString();
            if (m.getProperty() != null && ("required".equals(m.getType()) || "additionalProperties".equals(m.getType()))) {
                path = path + "/" + m.getProperty();
            }
            violations.add(new Violation(path, m.getType(), m.getMessage()));
        }
        violations.sort(java.util.Comparator.comparing(Violation::path).thenComparing(Violation::keyword));
        String summary = violations.size() + " schema violation" + (violations.size() == 1 ? "" : "s") + ": "
                + String.join("; ", violations.stream().map(v -> v.message()).toList());
        return new ValidationResult(Reason.SCHEMA, oneLine(summary), List.copyOf(violations), null);
    }

    private static ObjectReader strictReader() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .maxNumberLength(100)
                        .build())
                .build();
        // Duplicate keys are caught while the tree is built (one map put per field) rather than by the parser's
        // STRICT_DUPLICATE_DETECTION, which keeps a second set of names per object: same verdict, less work.
        return new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .reader();
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            InputStream in = EventValidator.class.getClassLoader().getResourceAsStream(location.substring(10));
            if (in == null) {
                throw new NoSuchFileException(location);
            }
            return in;
        }
        Path path = Path.of(location);
        if (Files.isDirectory(path)) {
            throw new IOException("it is a directory");
        }
        return Files.newInputStream(path);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Field names come from the input and may hold control characters; a log line and a header must not. */
    private static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return out.toString();
    }

}
