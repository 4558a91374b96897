package dev.loginpipe.dlq.console;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import dev.loginpipe.dlq.Masking;

/**
 * How text from a record reaches the page: masked (IP addresses, ids) unless {@code CONSOLE_SHOW_VALUES=true}, and
 * cut to a bound. The page shows it as text only; this only keeps it small and private.
 */
record Display(boolean masked) {

    /** Masked (when on) and cut to {@code max} characters, with "…" when cut; null stays null. */
    String text(String text, int max) {
        if (text == null) {
            return null;
        }
        String shown = masked ? Masking.mask(text) : text;
        return shown.length() <= max ? shown : shown.substring(0, max) + "…";
    }

    /** Bytes as text when they are well-formed UTF-8, else null. */
    static String utf8(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Bytes as text, ill-formed sequences as U+FFFD: for searching and previews. */
    static String lenient(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
