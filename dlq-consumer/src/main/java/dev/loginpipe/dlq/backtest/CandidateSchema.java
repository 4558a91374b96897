package dev.loginpipe.dlq.backtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.loginpipe.common.validation.EventValidator;

/** A candidate schema given as text (pasted in the console), compiled as the consumer compiles its schema. */
public final class CandidateSchema {
    private CandidateSchema() {
    }

    /** The validator of {@code text}; not a draft-07 schema: {@link IllegalArgumentException} saying why. */
    public static EventValidator of(String text, int maxJsonDepth) {
        try {
            Path file = Files.createTempFile("candidate-schema", ".json");
            try {
                Files.writeString(file, text, StandardCharsets.UTF_8);
                return EventValidator.load(file.toString(), maxJsonDepth);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replace(file.toString(), "the candidate"));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
