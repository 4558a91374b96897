package dev.loginpipe.producer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Your own data, one record per line of a file or stdin, sent as the line's bytes (whatever they are, so bad samples
 * reach the DLQ as they are). Lines are split on {@code \n} (a {@code \r} before it is dropped); empty lines are
 * skipped. A line that is a JSON object with a string {@code user_id} is keyed by it, any other line has no key.
 */
public final class LinesSource implements EventSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    public LinesSource(InputStream in) {
        this.in = new BufferedInputStream(in, 64 * 1024);
    }

    @Override
    public Optional<OutgoingRecord> next() throws IOException {
        byte[] value;
        do {
            value = readLine();
            if (value == null) {
                return Optional.empty();
            }
        } while (value.length == 0);
        return Optional.of(new OutgoingRecord(userIdOf(value), value));
    }

    /** The next line without its end, or null at the end of the input. */
    private byte[] readLine() throws IOException {
        line.reset();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
    }

    private static byte[] userIdOf(byte[] value) {
        try {
            JsonNode userId = JSON.readTree(value).path("user_id");
            return userId.isTextual() ? userId.textValue().getBytes(StandardCharsets.UTF_8) : null;
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
