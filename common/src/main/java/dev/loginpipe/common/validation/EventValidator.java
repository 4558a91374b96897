package dev.loginpipe.common.validation;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.SchemaLoader;

/**
 * Decides whether a record value is a valid user-login event. The schema is compiled once; a check reads the bytes
 * strictly: well-formed UTF-8, then exactly one JSON document, then the schema with format assertions on (so
 * {@code 999.1.1.1} is not an IPv4 address). Strings are bounded only by the record's size; two guards protect the
 * process, and a document that breaks one is {@link Reason#LIMITS}, never {@link Reason#NOT_JSON}. Thread-safe.
 */
public final class EventValidator {
    /** The {@code SCHEMA_PATH} that names the copy of {@code schema.json} inside the jar. */
    public static final String BUNDLED = "classpath:dev/loginpipe/common/schema.json";
    /**
     * The default of {@code MAX_JSON_DEPTH}. Jackson builds trees without recursion, but the schema library recurses
     * once or more per level: with a recursive schema it overflowed a 1 MB thread stack from 450 levels on (measured:
     * {@code anyOf} of array/object with {@code $ref: "#"}), so the default keeps a margin of three.
     */
    public static final int DEFAULT_MAX_JSON_DEPTH = 128;
    /** Longest number read: an integer's text becomes a BigInteger in quadratic time (1,000,000 digits took 24 s). */
    public static final int MAX_NUMBER_LENGTH = 1000;
    /**
     * Longest one check of a record may take. One that runs out may have been paused (GC, a container's CPU quota, a
     * busy host: at a load of 18 on two cores, a check that used 53 ms of CPU took 323 ms), so it gets one more of
     * {@link #RECHECK_BUDGET_MS}, and only a record that runs out of both is {@link Reason#TOO_SLOW}; a new schema's
     * probes get the same. An ordinary event takes microseconds, a 1 MB string under a linear pattern milliseconds;
     * the consumer commits a poll of slow records in parts, before its transaction times out.
     */
    public static final int RECORD_BUDGET_MS = 100;
    public static final int RECHECK_BUDGET_MS = 1_000;
    static final long RECORD_BUDGET_NANOS = RECORD_BUDGET_MS * 1_000_000L;
    static final long RECHECK_BUDGET_NANOS = RECHECK_BUDGET_MS * 1_000_000L;
    /** How a check that ran out of both budgets is told, after what ran out. */
    static final String RAN_OUT = "took longer than " + RECORD_BUDGET_MS + " ms, and once more than "
            + RECHECK_BUDGET_MS + " ms";

    private final JsonSchema schema;
    private final String source;
    private final int maxJsonDepth;
    private final ObjectReader reader;
    /** Says "valid" in one pass over the bytes where it is sure; null when the schema uses keywords it lacks. */
    private final OnePassCheck onePass;

    private EventValidator(JsonSchema schema, String source, int maxJsonDepth, JsonNode schemaNode,
                           List<TimedRegularExpressions.Timed> patterns) {
        this.schema = schema;
        this.source = source;
        this.maxJsonDepth = maxJsonDepth;
        this.reader = strictReader(maxJsonDepth);
        Map<String, TimedRegularExpressions.Timed> bySource = new HashMap<>();
        patterns.forEach(p -> bySource.put(p.source(), p));
        this.onePass = OnePassCheck.compile(schemaNode, bySource, reader.getFactory());
    }

    /** Loads and compiles a draft-07 schema from a file or from {@link #BUNDLED}; the message says what is wrong. */
    public static EventValidator load(String location) {
        return load(location, DEFAULT_MAX_JSON_DEPTH);
    }

    /** As {@link #load(String)}, refusing documents nested deeper than {@code maxJsonDepth} (reason {@code limits}). */
    public static EventValidator load(String location, int maxJsonDepth) {
        JsonNode schemaNode;
        try (InputStream in = open(location)) {
            schemaNode = new ObjectMapper().readTree(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file " + location);
        } catch (IOException e) {
            throw new IllegalArgumentException(location + " is not readable JSON: " + firstLine(e.getMessage()));
        }
        return compile(schemaNode, location, Map.of(), maxJsonDepth);
    }

    /**
     * Compiles a draft-07 schema already read. A {@code $ref} to another document is resolved only from
     * {@code references} (absolute IRI to schema text): nothing is ever fetched from the network or the disk, so a
     * schema from elsewhere cannot make this process connect anywhere. The message says what is wrong.
     *
     * @throws UnresolvableReference a {@code $ref} names a document that is not among the references
     * @throws TooSlow checking a probe value runs out of the record's budgets ({@link SlowSchemaProbe})
     * @throws IllegalArgumentException it is not a valid draft-07 schema
     */
    public static EventValidator compile(JsonNode schemaNode, String source, Map<String, String> references,
                                         int maxJsonDepth) {
        // Draft-07 allows a schema that is just true (anything goes) or false (nothing does).
        if (schemaNode == null || !(schemaNode.isObject() || schemaNode.isBoolean())) {
            throw new IllegalArgumentException(source + " is not a valid draft-07 JSON Schema: not a JSON object or boolean");
        }
        JsonMetaSchema draft7 = JsonMetaSchema.builder(JsonMetaSchema.getV7())
                .formats(formats -> formats.put("ipv4", new Ipv4Format(formats.get("ipv4"))))
                .build();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7,
                builder -> builder.metaSchema(draft7).schemaLoaders(loaders -> loaders.add(offline(references))));
        TimedRegularExpressions expressions = new TimedRegularExpressions();
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_POINTER)
                // JSON Schema's patterns are ECMA-262 regular expressions: joni reads them so, the JDK does not.
                .regularExpressionFactory(expressions)
                .build();
        JsonSchema metaSchema = factory.getSchema(SchemaLocation.of("http://json-schema.org/draft-07/schema#"), config);
        Set<ValidationMessage> schemaErrors = metaSchema.validate(schemaNode);
        if (!schemaErrors.isEmpty()) {
            throw new IllegalArgumentException(source + " is not a valid draft-07 JSON Schema: "
                    + schemaErrors.iterator().next().getMessage());
        }
        JsonSchema compiled;
        try {
            compiled = factory.getSchema(BASE_IRI, schemaNode, config);
            compiled.initializeValidators(); // resolves every $ref now, not at the first record
        } catch (UnresolvableReference e) {
            throw e;
        } catch (RuntimeException e) {
            if (causeOf(e, UnresolvableReference.class) instanceof UnresolvableReference unresolvable) {
                throw unresolvable;
            }
            throw new IllegalArgumentException(source + " cannot be compiled: " + oneLine(firstLine(e.getMessage())));
        }
        List<TimedRegularExpressions.Timed> patterns = expressions.compiled();
        String slow = SlowSchemaProbe.firstTooSlow(compiled, patterns, maxJsonDepth);
        if (slow != null) {
            throw new TooSlow(oneLine(source + " checks too slowly: " + slow + " " + RAN_OUT));
        }
        return new EventValidator(compiled, source, maxJsonDepth, schemaNode, patterns);
    }

    /** A schema whose check of a probe value does not end within a record's budget. */
    public static final class TooSlow extends IllegalArgumentException {
        TooSlow(String message) {
            super(message);
        }
    }

    /** A {@code $ref} that names a document this process was not given. */
    public static final class UnresolvableReference extends IllegalArgumentException {
        UnresolvableReference(String iri) {
            super("unresolvable $ref " + iri + ": not among the schema's references");
        }
    }

    /**
     * The base IRI of a schema without {@code $id}: a relative {@code $ref} (a registry reference's name, e.g.
     * {@code address.json}) resolves against it. The reserved {@code .invalid} domain names no host.
     */
    public static final URI BASE_IRI = URI.create("https://loginpipe.invalid/schemas/");

    /** Serves the given references and the library's bundled meta-schemas; refuses everything else. */
    private static SchemaLoader offline(Map<String, String> references) {
        return iri -> {
            String text = references.get(iri.toString());
            if (text != null) {
                return () -> new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
            }
            if (iri.toString().startsWith("classpath:") || iri.toString().startsWith("resource:")) {
                return null; // the draft-07 meta-schema, mapped to the library's copy
            }
            throw new UnresolvableReference(iri.toString());
        };
    }

    private static Throwable causeOf(Throwable e, Class<?> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    /** The one-pass check of this schema, or null when the schema uses a keyword outside its subset. */
    OnePassCheck onePass() {
        return onePass;
    }

    public String source() {
        return source;
    }

    /**
     * Classifies one record value within the budgets ({@link #RECORD_BUDGET_MS}); never throws. A value the one-pass
     * check accepts is valid without a tree; every other value is judged (and its reason worded) by the schema library.
     */
    public ValidationResult validate(byte[] value) {
        if (onePass != null && onePass.accepts(value)) {
            return ValidationResult.VALID;
        }
        return validateByLibrary(value);
    }

    /** The schema library's verdict alone, as before the one-pass check: what tests and benchmarks compare it with. */
    public ValidationResult validateByLibrary(byte[] value) {
        ValidationResult result = validateWithin(value, RECORD_BUDGET_NANOS);
        return result.reason() == Reason.TOO_SLOW ? validateWithin(value, RECHECK_BUDGET_NANOS) : result;
    }

    private ValidationResult validateWithin(byte[] value, long budgetNanos) {
        TimeBudget budget = TimeBudget.start(budgetNanos);
        try {
            return check(value, budget);
        } catch (TimeBudget.Exceeded e) {
            return new ValidationResult(Reason.TOO_SLOW, oneLine("checking it " + RAN_OUT + " (in " + e.what
                    + "); the schema needs a fix"), List.of(), e.getClass().getName(), null);
        } catch (StackOverflowError e) {
            // Only a recursive schema gets here, with a depth below the limit: the limit is too high for it.
            return new ValidationResult(Reason.LIMITS, "validating nesting depth " + Nesting.of(value, maxJsonDepth).maxDepth()
                    + " overflowed the thread's stack; MAX_JSON_DEPTH " + maxJsonDepth + " is too high for this schema",
                    List.of(), e.getClass().getName(), null);
        } catch (RuntimeException e) {
            // The schema library gave up on valid JSON (e.g. multipleOf on 1e400): it cannot check this document.
            return new ValidationResult(Reason.LIMITS, oneLine("the validator cannot check this document: "
                    + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())), List.of(),
                    e.getClass().getName(), null);
        } finally {
            budget.end();
        }
    }

    private ValidationResult check(byte[] value, TimeBudget budget) {
        if (value == null || value.length == 0) {
            return ValidationResult.invalid(Reason.EMPTY, value == null ? "the value is null" : "the value is empty");
        }
        int bad = Utf8.firstInvalid(value);
        if (bad >= 0) {
            return new ValidationResult(Reason.NOT_UTF8, "ill-formed UTF-8 at byte " + bad, List.of(), null,
                    (long) bad);
        }
        JsonNode event;
        try {
            event = reader.readTree(value);
        } catch (StreamConstraintsException e) {
            return beyondLimits(value, e);
        } catch (JsonProcessingException e) {
            return new ValidationResult(Reason.NOT_JSON, oneLine("not a single JSON document: " + firstLine(e.getMessage())),
                    List.of(), e.getClass().getName(), position(e));
        } catch (IOException e) {
            return new ValidationResult(Reason.NOT_JSON, oneLine("not a single JSON document: " + firstLine(e.getMessage())),
                    List.of(), e.getClass().getName(), null);
        }
        if (event == null || event.isMissingNode()) {
            return ValidationResult.invalid(Reason.NOT_JSON, "no JSON document, only white space");
        }
        Set<ValidationMessage> errors = schema.validate(event, budget);
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
        return new ValidationResult(Reason.SCHEMA, oneLine(summary), List.copyOf(violations), null, null);
    }

    /** Only the two guards are set, so a constraint broken is either the nesting or a number's length. */
    private ValidationResult beyondLimits(byte[] value, StreamConstraintsException e) {
        Nesting nesting = Nesting.of(value, maxJsonDepth);
        if (nesting.firstBeyond() >= 0) {
            return new ValidationResult(Reason.LIMITS, "nesting depth " + nesting.maxDepth() + " exceeds MAX_JSON_DEPTH "
                    + maxJsonDepth, List.of(), e.getClass().getName(), (long) nesting.firstBeyond());
        }
        return new ValidationResult(Reason.LIMITS, "a number longer than " + MAX_NUMBER_LENGTH
                + " characters exceeds the validator's limit", List.of(), e.getClass().getName(), position(e));
    }

    /** The byte offset where the parser stopped: the trees are read from bytes, so Jackson counts bytes. */
    private static Long position(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        return location == null || location.getByteOffset() < 0 ? null : location.getByteOffset();
    }

    private static ObjectReader strictReader(int maxJsonDepth) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxJsonDepth)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxStringLength(Integer.MAX_VALUE) // bounded by the record's size
                        .maxNameLength(Integer.MAX_VALUE)
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
        char[] chars = null; // control characters are all in the BMP: replacing chars never splits a surrogate pair
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                if (chars == null) {
                    chars = text.toCharArray();
                }
                chars[i] = ' ';
            }
        }
        return chars == null ? text : new String(chars);
    }

}
