package dev.loginpipe.dlq.backtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.config.Config;
import dev.loginpipe.common.config.ConfigException;
import dev.loginpipe.common.config.Settings;
import dev.loginpipe.common.schema.RegistryClient;
import dev.loginpipe.common.schema.RegistrySchemas;
import dev.loginpipe.common.schema.SchemaVersion;
import dev.loginpipe.common.schema.UnusableSchema;
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.SchemaFingerprint;

/**
 * A schema to try before it goes live, compiled as the consumer compiles its schema, with the version it will carry
 * once live: a file's {@link SchemaFingerprint}, or the registry's version number (the {@code schema.version} the
 * consumers then write).
 *
 * @param name         the file, or which version of the registry was asked for
 * @param origin       how it goes live, for the report's first line
 * @param asRegistered the schema as the registry's API spells it ({@code schemaType}, {@code schema},
 *                     {@code references}): what the registry's compatibility check is asked about
 */
public record CandidateSchema(EventValidator validator, String name, String version, String origin,
                              ObjectNode asRegistered) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** From a file; one that is not a draft-07 schema: {@link IllegalArgumentException} saying why. */
    public static CandidateSchema ofFile(String file, int maxJsonDepth) {
        try {
            return of(Files.readString(Path.of(file), StandardCharsets.UTF_8), file, maxJsonDepth);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such file " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " cannot be read: " + e.getMessage());
        }
    }

    /** From text (pasted in the console); named {@code name} in messages. */
    public static CandidateSchema of(String text, String name, int maxJsonDepth) {
        try {
            JsonNode schema = JSON.readTree(text);
            String fingerprint = SchemaFingerprint.of(schema);
            return new CandidateSchema(EventValidator.compile(schema, name, Map.of(), maxJsonDepth), name,
                    fingerprint, "schema.version " + fingerprint + " once live as a file", asRegistered(text, null));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(name + " is not JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * Version {@code version} ({@code latest} or a number) of the registry subject the consumers use, its references
     * resolved as they resolve them (by the same {@link RegistrySchemas}); one that cannot be had or used:
     * {@link IllegalArgumentException} saying why; no registry or unusable credentials: {@link ConfigException}.
     */
    public static CandidateSchema ofRegistry(Config config, String version) {
        if (config.get(Settings.SCHEMA_REGISTRY_URL).isEmpty()) {
            throw new ConfigException(Settings.SCHEMA_REGISTRY_URL.name(), "not set; backtest --registry-version "
                    + "needs the registry");
        }
        String subject = RegistrySchemas.subject(config);
        try {
            RegistrySchemas.Registered registered = new RegistrySchemas(RegistryClient.of(config), subject, version,
                    config.get(Settings.MAX_JSON_DEPTH)).fetch(null);
            SchemaVersion live = registered.version();
            return new CandidateSchema(live.validator(), "version " + version + " of the registry", live.version(),
                    "registry subject " + subject + ", version " + live.version() + ", id " + live.id(),
                    asRegistered(registered.schema(), registered.references()));
        } catch (UnusableSchema e) {
            throw new IllegalArgumentException("subject " + subject + " version " + version + ": " + e.getMessage());
        }
    }

    private static ObjectNode asRegistered(String text, JsonNode references) {
        ObjectNode body = JSON.createObjectNode().put("schemaType", "JSON").put("schema", text);
        if (references != null) {
            body.set("references", references);
        }
        return body;
    }
}
