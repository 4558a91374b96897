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
import dev.loginpipe.common.validation.EventValidator;
import dev.loginpipe.common.validation.SchemaFingerprint;

/**
 * A schema to try before it goes live, compiled as the consumer compiles its schema, with the version it will carry
 * once live as a file ({@link SchemaFingerprint}: the {@code schema.version} the consumers then write).
 */
public record CandidateSchema(EventValidator validator, String version) {

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
            JsonNode schema = new ObjectMapper().readTree(text);
            return new CandidateSchema(EventValidator.compile(schema, name, Map.of(), maxJsonDepth),
                    SchemaFingerprint.of(schema));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(name + " is not JSON: " + e.getOriginalMessage());
        }
    }
}
