package dev.loginpipe.common.schema;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.validation.EventValidator;

/**
 * A subject of a Confluent-compatible schema registry ({@code GET /subjects/{subject}/versions/latest} or
 * {@code /versions/{n}}): its schema id and version name the version. A schema's {@code references} (name, subject,
 * version) are fetched the same way, and each name is what a {@code $ref} in the schema resolves to.
 */
public final class RegistrySchemas implements SchemaSource {
    /** Most referenced schemas, all levels together, and how deep references may nest. */
    static final int MAX_REFERENCES = 32;
    static final int MAX_REFERENCE_DEPTH = 8;

    private final RegistryClient client;
    private final String subject;
    private final String version;
    private final int maxJsonDepth;

    /** @param version {@code latest} or a version number */
    public RegistrySchemas(RegistryClient client, String subject, String version, int maxJsonDepth) {
        this.client = client;
        this.subject = subject;
        this.version = version;
        this.maxJsonDepth = maxJsonDepth;
    }

    /** SCHEMA_REGISTRY_SUBJECT, by default {@code <INPUT_TOPIC>-value} (TopicNameStrategy). */
    public static String subject(Config config) {
        String subject = config.get(Settings.SCHEMA_REGISTRY_SUBJECT);
        return subject.isEmpty() ? config.get(Settings.INPUT_TOPIC) + "-value" : subject;
    }

    /** A version as the registry serves it: compiled, and its schema text and references to ask the registry about. */
    public record Registered(SchemaVersion version, String schema, JsonNode references) {
    }

    @Override
    public SchemaVersion next(SchemaVersion current) throws UnusableSchema {
        return fetch(current).version();
    }

    /** The version, compiled (its references fetched) unless it is {@code current}, which is then kept. */
    public Registered fetch(SchemaVersion current) throws UnusableSchema {
        String path = path(subject, version);
        JsonNode answer = client.get(path);
        long id = number(answer, "id", 0, path);
        int number = (int) number(answer, "version", 1, path);
        String what = "registry id " + id + ", version " + number;
        String text = schemaText(answer, path);
        JsonNode schema = SchemaCandidate.parse(text, what);
        String fingerprint = SchemaCandidate.fingerprint(schema);
        JsonNode references = answer.path("references").isArray() ? answer.get("references") : null;
        if (current != null && current.sameAs(fingerprint, Integer.toString(number), Long.toString(id))) {
            return new Registered(current, text, references); // its references are immutable: not fetched again
        }
        Map<String, String> byName = new LinkedHashMap<>();
        collectReferences(answer, path, byName, 1);
        Map<String, String> byIri = new LinkedHashMap<>();
        String ownId = schema.path("$id").isTextual() ? schema.get("$id").asText() : null;
        byName.forEach((name, refText) -> {
            byIri.put(EventValidator.BASE_IRI.resolve(name).toString(), refText);
            if (ownId != null) {
                try {
                    byIri.putIfAbsent(URI.create(ownId).resolve(name).toString(), refText);
                } catch (IllegalArgumentException e) {
                    // not an IRI: a $ref cannot be resolved against it either
                }
            }
        });
        return new Registered(SchemaVersion.ofRegistry(id, number, fingerprint,
                SchemaCandidate.compile(schema, what, byIri, maxJsonDepth)), text, references);
    }

    private void collectReferences(JsonNode answer, String path, Map<String, String> byName, int depth)
            throws UnusableSchema {
        JsonNode references = answer.get("references");
        if (references == null || references.isNull()) {
            return;
        }
        if (!references.isArray()) {
            throw bad(path, "references is not an array");
        }
        if (depth > MAX_REFERENCE_DEPTH) {
            throw new UnusableSchema(UnusableSchema.Reason.UNRESOLVABLE_REF, path + ": references nest deeper than "
                    + MAX_REFERENCE_DEPTH);
        }
        for (JsonNode reference : references) {
            String name = text(reference, "name", path);
            String refSubject = text(reference, "subject", path);
            long refVersion = number(reference, "version", 1, path);
            if (byName.containsKey(name)) {
                continue;
            }
            if (byName.size() == MAX_REFERENCES) {
                throw new UnusableSchema(UnusableSchema.Reason.UNRESOLVABLE_REF, path + ": more than "
                        + MAX_REFERENCES + " references");
            }
            String refPath = path(refSubject, Long.toString(refVersion));
            JsonNode referenced;
            try {
                referenced = client.get(refPath);
            } catch (UnusableSchema e) {
                if (e.reason == UnusableSchema.Reason.UNREACHABLE) {
                    throw e; // retried: the reference may well exist
                }
                throw new UnusableSchema(UnusableSchema.Reason.UNRESOLVABLE_REF, "reference " + name + ": "
                        + e.getMessage());
            }
            byName.put(name, schemaText(referenced, refPath));
            collectReferences(referenced, refPath, byName, depth + 1);
        }
    }

    private static String path(String subject, String version) {
        return "/subjects/" + RegistryClient.segment(subject) + "/versions/" + version;
    }

    private static String schemaText(JsonNode answer, String path) throws UnusableSchema {
        JsonNode type = answer.get("schemaType");
        if (type != null && !type.isNull() && !"JSON".equals(type.asText())) {
            throw new UnusableSchema(UnusableSchema.Reason.NOT_A_SCHEMA, path + ": schemaType "
                    + type.asText() + ", not JSON");
        }
        return text(answer, "schema", path);
    }

    private static String text(JsonNode node, String field, String path) throws UnusableSchema {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw bad(path, "no text field " + field);
        }
        return value.asText();
    }

    private static long number(JsonNode node, String field, long min, String path) throws UnusableSchema {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber() || value.asLong() < min) {
            throw bad(path, "no " + field + " that is an integer >= " + min);
        }
        return value.asLong();
    }

    private static UnusableSchema bad(String path, String what) {
        return new UnusableSchema(UnusableSchema.Reason.BAD_ANSWER, "GET " + path + ": " + what);
    }
}
