package dev.loginpipe.dlq.console;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loginpipe.dlq.replay.ReplayLedger;

/**
 * Which replay published each DLQ record, when and to where, as one reading of the replay ledger found it: a record's
 * history is looked up in memory, never by reading the ledger per request. Filled while the ledger is read (as its
 * {@link ReplayLedger.EntryListener}), then {@link #freeze() frozen} into sorted arrays: 20 bytes a record, the replay
 * and target kept once for all the records they share.
 */
final class LedgerHistory implements ReplayLedger.EntryListener {
    static final LedgerHistory EMPTY = new LedgerHistory().freeze();
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Published(int origin, long at) {
    }

    /** A replay id and its target. */
    private record Origin(String replayId, String to) {
    }

    private record Partition(long[] offsets, int[] origins, long[] ats) {
    }

    private final Map<Integer, Map<Long, Published>> reading = new HashMap<>();
    private final List<Origin> origins = new ArrayList<>();
    private final Map<Origin, Integer> originNumbers = new HashMap<>();
    private final Map<Integer, Partition> partitions = new HashMap<>();

    @Override
    public void entry(int partition, long offset, byte[] value) {
        Map<Long, Published> entries = reading.computeIfAbsent(partition, p -> new HashMap<>());
        if (value == null) {
            entries.remove(offset);
            return;
        }
        JsonNode entry;
        try {
            entry = JSON.readTree(value);
        } catch (IOException | RuntimeException unreadable) {
            entry = JSON.missingNode(); // the ledger counts it as replayed: so does its history, without details
        }
        Origin origin = new Origin(entry.path("replay_id").asText(null), entry.path("to").asText(null));
        int number = originNumbers.computeIfAbsent(origin, o -> {
            origins.add(o);
            return origins.size() - 1;
        });
        entries.put(offset, new Published(number, epochMillis(entry.path("at").asText(""))));
    }

    /** Ends the reading: from here on it is only read, by any thread. */
    LedgerHistory freeze() {
        reading.forEach((partition, entries) -> {
            long[] offsets = entries.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
            int[] numbers = new int[offsets.length];
            long[] ats = new long[offsets.length];
            for (int i = 0; i < offsets.length; i++) {
                Published p = entries.get(offsets[i]);
                numbers[i] = p.origin();
                ats[i] = p.at();
            }
            partitions.put(partition, new Partition(offsets, numbers, ats));
        });
        reading.clear();
        return this;
    }

    /** The ledger's entry for this record ({@code replay_id}, {@code at}, {@code to}), or null when it has none. */
    ObjectNode entry(int partition, long offset) {
        Partition p = partitions.get(partition);
        int i = p == null ? -1 : Arrays.binarySearch(p.offsets(), offset);
        if (i < 0) {
            return null;
        }
        Origin origin = origins.get(p.origins()[i]);
        return JSON.createObjectNode().put("replay_id", origin.replayId())
                .put("at", p.ats()[i] == Long.MIN_VALUE ? null : Instant.ofEpochMilli(p.ats()[i]).toString())
                .put("to", origin.to());
    }

    private static long epochMillis(String text) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (RuntimeException unreadable) {
            return Long.MIN_VALUE;
        }
    }
}
