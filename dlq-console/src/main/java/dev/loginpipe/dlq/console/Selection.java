package dev.loginpipe.dlq.console;

import java.util.Locale;
import java.util.Set;

import dev.loginpipe.dlq.DlqRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Which DLQ records someone is looking at: a signature, a reason, an {@code error.at} range (from inclusive, until
 * exclusive), a header value and a text in the key or value. The first four are answered by the index; the last two
 * need the record, read from Kafka.
 */
record Selection(String signature, String reason, Long from, Long until, String headerName, String headerValue,
                 String text) {
    static final Set<String> PARAMS = Set.of("signature", "reason", "from", "until", "header", "text");

    static Selection of(Params params) {
        String signature = params.text("signature");
        if (signature != null && !signature.matches("[0-9a-f]{12}")) {
            throw new BadRequest("signature: expected the 12 hex digits of a signature id");
        }
        String header = params.text("header");
        String headerName = null;
        String headerValue = null;
        if (header != null) {
            int eq = header.indexOf('=');
            if (eq <= 0) {
                throw new BadRequest("header: expected name=value");
            }
            headerName = header.substring(0, eq);
            headerValue = header.substring(eq + 1);
        }
        Long from = params.time("from");
        Long until = params.time("until");
        if (from != null && until != null && from > until) {
            throw new BadRequest("from: later than until");
        }
        String text = params.text("text");
        return new Selection(signature, params.text("reason"), from, until, headerName, headerValue,
                text == null ? null : text.toLowerCase(Locale.ROOT));
    }

    /** The part of the selection the index answers. */
    DlqIndex.Filter filter(Signatures signatures) {
        int wanted = signature == null ? -1 : signatures.byId(signature);
        if (signature != null && wanted < 0) {
            return (s, at) -> false;
        }
        long low = from == null ? Long.MIN_VALUE : from;
        long high = until == null ? Long.MAX_VALUE : until;
        boolean[] reasonMatches = reasonMatches(signatures);
        return (s, at) -> (wanted < 0 || s == wanted) && at >= low && at < high
                && (reasonMatches == null || (s < reasonMatches.length ? reasonMatches[s]
                : signatures.get(s).reason().equals(reason)));
    }

    boolean needsRecord() {
        return headerName != null || text != null;
    }

    /** The part the index cannot answer; compares what the page would show (masked text when masking is on). */
    boolean matches(ConsumerRecord<byte[], byte[]> record, Display display) {
        if (headerName != null) {
            String value = new DlqRecord(record).header(headerName);
            if (value == null || !headerValue.equals(display.text(value, Integer.MAX_VALUE))) {
                return false;
            }
        }
        if (text != null) {
            String haystack = Display.lenient(record.key()) + "\n" + Display.lenient(record.value());
            return display.text(haystack, Integer.MAX_VALUE).toLowerCase(Locale.ROOT).contains(text);
        }
        return true;
    }

    private boolean[] reasonMatches(Signatures signatures) {
        if (reason == null) {
            return null;
        }
        boolean[] matches = new boolean[signatures.count()];
        for (int s = 0; s < matches.length; s++) {
            matches[s] = signatures.get(s).reason().equals(reason);
        }
        return matches;
    }
}
