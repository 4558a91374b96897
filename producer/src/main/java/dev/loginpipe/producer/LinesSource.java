package dev.loginpipe.producer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Your own data, one record per line of a file or stdin, sent as the line's bytes (whatever they are, so bad samples
 * reach the DLQ as they are). Lines are split on {@code \n} (a {@code \r} before it is dropped); empty lines are
 * skipped. A line that is a JSON object with a string {@code user_id} is keyed by it, any other line has no key.
 * <p>
 * Memory is bounded whatever the input: a line longer than a record may be is never held whole; the rest of it is
 * read and dropped, the line is logged and counted ({@link #skipped()}), and the next line is read. Closing the
 * source from another thread ends a read that blocks (on a terminal or a pipe): the input is then over, and a line
 * read in part is dropped.
 */
public final class LinesSource implements EventSource {
    private static final Logger LOG = LoggerFactory.getLogger("producer");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ReadableByteChannel in;
    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).flip();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long lineNumber;
    private long skipped;
    private boolean closed;

    /** {@code maxLineBytes}: the longest line sent (without its line end). */
    public LinesSource(ReadableByteChannel in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
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

    /** The next line that fits, without its end; null at the end of the input or once closed. */
    private byte[] readLine() throws IOException {
        while (true) {
            line.reset();
            long length = 0;
            byte last = 0;
            boolean any = false;
            while (true) {
                if (!buffer.hasRemaining() && !fill()) {
                    if (closed || !any) {
                        return null;
                    }
                    break;
                }
                any = true;
                byte[] bytes = buffer.array();
                int start = buffer.position();
                int end = start;
                while (end < buffer.limit() && bytes[end] != '\n') {
                    end++;
                }
                // Keep one byte more than a line may have: a '\r' that ends it is dropped below.
                line.write(bytes, start, (int) Math.max(0, Math.min(end - start, maxLineBytes + 1L - length)));
                length += end - start;
                if (end > start) {
                    last = bytes[end - 1];
                }
                buffer.position(end < buffer.limit() ? end + 1 : end);
                if (end < buffer.limit()) {
                    break;
                }
            }
            lineNumber++;
            long content = last == '\r' ? length - 1 : length;
            if (content <= maxLineBytes) {
                return Arrays.copyOf(line.toByteArray(), (int) content);
            }
            skipped++;
            LOG.warn("line {} not sent: {} bytes, more than the {} a record may hold", lineNumber, content, maxLineBytes);
        }
    }

    /** Reads more input into the buffer; false at its end or once closed. */
    private boolean fill() throws IOException {
        buffer.clear();
        int read;
        try {
            do {
                read = in.read(buffer);
            } while (read == 0);
        } catch (ClosedChannelException e) {
            closed = true; // by stop(), from the SIGTERM hook
            read = -1;
        }
        buffer.flip();
        return read > 0;
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
    public long skipped() {
        return skipped;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
