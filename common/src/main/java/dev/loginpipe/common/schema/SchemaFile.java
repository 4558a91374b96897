package dev.loginpipe.common.schema;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loginpipe.common.ErrorText;

/**
 * {@code SCHEMA_PATH}, read again at every refresh: a changed file that is a valid schema is the next version, named
 * by its fingerprint. A file caught half-written is not JSON and is kept out until it is whole.
 */
public final class SchemaFile implements SchemaSource {
    /** A schema is a few kilobytes; this keeps a wrong path (a log file, a disk image) from being read whole. */
    static final int MAX_BYTES = 4 * 1024 * 1024;
    private static final String CLASSPATH = "classpath:";

    private final String location;
    private final int maxJsonDepth;

    public SchemaFile(String location, int maxJsonDepth) {
        this.location = location;
        this.maxJsonDepth = maxJsonDepth;
    }

    @Override
    public SchemaVersion next(SchemaVersion current) throws UnusableSchema {
        JsonNode schema = SchemaCandidate.parse(read(), location);
        String fingerprint = SchemaCandidate.fingerprint(schema);
        if (current != null && current.sameAs(fingerprint, fingerprint, null)) {
            return current;
        }
        return SchemaVersion.ofFile(fingerprint,
                SchemaCandidate.compile(schema, location, Map.of(), maxJsonDepth));
    }

    private String read() throws UnusableSchema {
        try (InputStream in = open()) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new UnusableSchema(UnusableSchema.Reason.NOT_A_SCHEMA, location + " is larger than "
                        + MAX_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UnusableSchema(UnusableSchema.Reason.UNREACHABLE, "cannot read " + location + ": "
                    + ErrorText.of(e));
        }
    }

    private InputStream open() throws IOException {
        if (location.startsWith(CLASSPATH)) {
            InputStream in = SchemaFile.class.getClassLoader().getResourceAsStream(location.substring(CLASSPATH.length()));
            if (in == null) {
                throw new IOException("no such resource");
            }
            return in;
        }
        return Files.newInputStream(Path.of(location));
    }
}
