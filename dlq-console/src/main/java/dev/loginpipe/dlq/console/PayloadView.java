package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.common.validation.Utf8;
import dev.loginpipe.dlq.Masking;

/**
 * A payload as the page shows it, the error where it is: JSON as text in segments, the spans named by
 * {@code error.details} paths marked with the number of their note; text that is not JSON with the character where
 * parsing failed marked; bytes that are not UTF-8 as hex with the ill-formed sequences marked. Everything is cut to
 * a bound, and masked when masking is on (hex too: masked bytes become {@code *}).
 */
final class PayloadView {
    static final int MAX_TEXT_CHARS = 100_000;
    static final int HEX_WINDOW = 4096;
    private static final int MAX_BAD_MARKS = 256;
    private static final JsonFactory LENIENT = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(10_000).build()).build();

    /** A violation from {@code error.details}. */
    record Note(String path, String keyword, String message) {
    }

    private PayloadView() {
    }

    /** The "view" object of the record endpoint; {@code position}: error.position of a not-json record, or null. */
    static void render(ObjectNode view, byte[] value, List<Note> notes, Long position, Display display) {
        if (value == null || value.length == 0) {
            view.put("kind", "empty");
            return;
        }
        String text = Display.utf8(value);
        if (text == null) {
            hex(view.put("kind", "hex"), value, display);
            return;
        }
        Map<String, int[]> spans = new HashMap<>();
        Integer failedAt = spans(text, spans);
        int[] owner = new int[Math.min(text.length(), MAX_TEXT_CHARS)];
        Arrays.fill(owner, -1);
        ArrayNode notesOut = view.putArray("notes");
        if (failedAt == null) {
            view.put("kind", "json");
            markNotes(notes, spans, owner, notesOut);
        } else {
            view.put("kind", "text");
            int at = position != null ? charIndex(value, position) : failedAt;
            view.put("position_source", position != null ? "error.position" : "console");
            view.put("position", at);
            if (at >= 0 && at < owner.length) {
                owner[at] = 0;
            }
            notesOut.addObject().put("path", "").put("keyword", "parse")
                    .put("message", "parsing failed at character " + at).put("found", at < text.length());
        }
        ArrayNode segments = view.putArray("segments");
        int start = 0;
        for (int i = 1; i <= owner.length; i++) {
            if (i == owner.length || owner[i] != owner[start]) {
                segments.addObject().put("text", display.text(text.substring(start, i), Integer.MAX_VALUE))
                        .put("note", owner[start]);
                start = i;
            }
        }
        view.put("cut_chars", Math.max(0, text.length() - owner.length));
    }

    /** Paints each note's span; inner spans are painted last, so they stay visible inside outer ones. */
    private static void markNotes(List<Note> notes, Map<String, int[]> spans, int[] owner, ArrayNode notesOut) {
        List<int[]> painted = new ArrayList<>(); // {note, start, end}
        for (int k = 0; k < notes.size(); k++) {
            Note note = notes.get(k);
            int[] span = spans.get(note.path());
            boolean found = span != null;
            if (!found) { // a missing property: mark where its parent object starts
                String parent = note.path();
                while (span == null && !parent.isEmpty()) {
                    parent = parent.substring(0, Math.max(0, parent.lastIndexOf('/')));
                    span = spans.get(parent);
                }
                span = span == null ? null : new int[] {span[0], span[0] + 1};
            }
            if (span != null) {
                painted.add(new int[] {k, span[0], span[1]});
            }
            notesOut.addObject().put("path", note.path()).put("keyword", note.keyword())
                    .put("message", note.message()).put("found", found);
        }
        painted.sort((a, b) -> Integer.compare(b[2] - b[1], a[2] - a[1]));
        for (int[] p : painted) {
            for (int i = p[1]; i < Math.min(p[2], owner.length); i++) {
                owner[i] = p[0];
            }
        }
    }

    /**
     * The character span of every value, by JSON pointer (escaped as the validator writes paths); returns null when
     * the text is one JSON document, else the character where parsing failed.
     */
    private static Integer spans(String text, Map<String, int[]> spans) {
        record Frame(String pointer, int start, boolean array, int[] index, String[] field) {
        }
        Deque<Frame> frames = new ArrayDeque<>();
        try (JsonParser parser = LENIENT.createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME) {
                    frames.peek().field()[0] = parser.currentName();
                    continue;
                }
                int start = (int) parser.currentTokenLocation().getCharOffset();
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    Frame done = frames.pop();
                    spans.put(done.pointer(), new int[] {done.start(), (int) parser.currentLocation().getCharOffset()});
                    continue;
                }
                Frame parent = frames.peek();
                String pointer = parent == null ? "" : parent.pointer() + "/" + escape(parent.array()
                        ? Integer.toString(parent.index()[0]++) : parent.field()[0]);
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    frames.push(new Frame(pointer, start, token == JsonToken.START_ARRAY, new int[1], new String[1]));
                } else {
                    parser.finishToken(); // strings are read lazily: without this the end is their opening quote
                    spans.put(pointer, new int[] {start, (int) parser.currentLocation().getCharOffset()});
                }
            }
            return null;
        } catch (JsonProcessingException e) {
            return e.getLocation() == null ? 0 : (int) Math.max(0, e.getLocation().getCharOffset());
        } catch (IOException e) {
            return 0;
        }
    }

    private static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    /** The character at a byte offset of well-formed UTF-8. */
    private static int charIndex(byte[] value, long bytePosition) {
        int end = (int) Math.max(0, Math.min(bytePosition, value.length));
        return new String(value, 0, end, StandardCharsets.UTF_8).length();
    }

    /**
     * A window of {@link #HEX_WINDOW} bytes from the start, or around the first ill-formed sequence when that lies
     * further in; ill-formed sequences in it marked, masked bytes replaced.
     */
    private static void hex(ObjectNode view, byte[] value, Display display) {
        int firstBad = Utf8.firstInvalid(value);
        int start = firstBad < HEX_WINDOW / 2 ? 0 : (firstBad - HEX_WINDOW / 4) / 16 * 16;
        int end = Math.min(value.length, start + HEX_WINDOW);
        byte[] window = Arrays.copyOfRange(value, start, end);
        ArrayNode bad = view.putArray("bad");
        for (int i = 0; i < window.length && bad.size() < MAX_BAD_MARKS; ) {
            // Read a little past the window so a sequence that crosses its end is judged whole.
            int at = Utf8.firstInvalid(Arrays.copyOfRange(value, start + i, Math.min(value.length, end + 3)));
            if (at < 0 || i + at >= window.length) {
                break;
            }
            bad.add(start + i + at);
            i += at + 1;
        }
        ArrayNode masked = view.putArray("masked");
        if (display.masked()) {
            String latin1 = new String(window, StandardCharsets.ISO_8859_1);
            String blanked = Masking.blank(latin1);
            for (int i = 0; i < window.length; i++) {
                if (blanked.charAt(i) != latin1.charAt(i)) {
                    window[i] = '*';
                    masked.add(start + i);
                }
            }
        }
        view.put("start", start).put("size", value.length).put("bytes", HexFormat.of().formatHex(window));
    }
}
