package dev.loginpipe.dlq.console;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What the console knows of each DLQ record without its payload: coordinates, signature number, {@code error.at},
 * {@code replay.count} and whether the value was truncated, in parallel primitive arrays (26 bytes a record, so a
 * million records take about 26 MB). Payloads are read from Kafka when someone looks at them. Thread-safe: one
 * writer (the reader thread) appends, any number of requests read.
 * <p>
 * Bounded, whoever writes to the DLQ: records retention deleted leave it ({@link #dropBelow}), and past its cap the
 * oldest tenth is left out (an on-call person wants the newest failures; a redrive plan reads the DLQ itself).
 */
final class DlqIndex {
    /** Newest first: by error.at, then partition, then offset, all descending. */
    record Cursor(long at, int partition, long offset) {
    }

    /** What a filter may look at without reading the record from Kafka. */
    interface Filter {
        boolean test(int signature, long at);
    }

    /** Called once per record, under the read lock. */
    interface Visitor {
        void visit(int partition, long offset, int signature, long at, int replayCount, boolean truncated);
    }

    /** One record as the index knows it. */
    record Entry(int partition, long offset, int signature, long at, int replayCount, boolean truncated) {
        Cursor cursor() {
            return new Cursor(at, partition, offset);
        }
    }

    /** Up to n entries newest first, and how many records the filter matched in all. */
    record Page(java.util.List<Entry> entries, int matched) {
    }

    private static final int INITIAL = 1024;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final int maxRecords;
    /** Per partition: every record below this offset was left out for the cap. */
    private final Map<Integer, Long> leftOutBelow = new HashMap<>();
    /** Per partition: the log start offset at the last check (0 until then). */
    private final Map<Integer, Long> logStarts = new HashMap<>();
    private long added;
    private int size;
    private int[] partitions = new int[INITIAL];
    private long[] offsets = new long[INITIAL];
    private int[] signatures = new int[INITIAL];
    private long[] ats = new long[INITIAL];
    private byte[] replayCounts = new byte[INITIAL];
    private boolean[] truncated = new boolean[INITIAL];

    DlqIndex(int maxRecords) {
        this.maxRecords = maxRecords;
    }

    void addAll(java.util.List<Entry> entries) {
        lock.writeLock().lock();
        try {
            for (Entry e : entries) {
                if (size == maxRecords) {
                    dropOldest(Math.max(1, maxRecords / 10)); // a tenth at a time: one shift per many records
                }
                if (size == offsets.length) {
                    grow();
                }
                partitions[size] = e.partition();
                offsets[size] = e.offset();
                signatures[size] = e.signature();
                ats[size] = e.at();
                replayCounts[size] = (byte) Math.min(e.replayCount(), Byte.MAX_VALUE);
                truncated[size] = e.truncated();
                size++;
                added++;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Drops the records below each partition's log start offset: retention deleted them from the DLQ. */
    void dropBelow(Map<Integer, Long> starts) {
        lock.writeLock().lock();
        try {
            logStarts.putAll(starts);
            keepOnly(i -> offsets[i] >= starts.getOrDefault(partitions[i], 0L));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Records the DLQ still holds that the cap left out of the index, counted by offsets (transaction markers count
     * too, so it is an upper bound); 0 while the cap was never reached.
     */
    long leftOut() {
        lock.readLock().lock();
        try {
            long count = 0;
            for (Map.Entry<Integer, Long> e : leftOutBelow.entrySet()) {
                count += Math.max(0, e.getValue() - logStarts.getOrDefault(e.getKey(), 0L));
            }
            return count;
        } finally {
            lock.readLock().unlock();
        }
    }

    int maxRecords() {
        return maxRecords;
    }

    /** Records ever added: it changes with every arrival, even when the size stays at the cap. */
    long added() {
        lock.readLock().lock();
        try {
            return added;
        } finally {
            lock.readLock().unlock();
        }
    }
    int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The offsets, ascending per partition, of every record that passes the filter. */
    java.util.Map<Integer, long[]> offsets(Filter filter) {
        lock.readLock().lock();
        try {
            java.util.Map<Integer, long[]> found = new java.util.HashMap<>();
            java.util.Map<Integer, Integer> counts = new java.util.HashMap<>();
            for (int i = 0; i < size; i++) {
                if (filter.test(signatures[i], ats[i])) {
                    long[] list = found.computeIfAbsent(partitions[i], p -> new long[64]);
                    int n = counts.merge(partitions[i], 1, Integer::sum);
                    if (n > list.length) {
                        list = Arrays.copyOf(list, list.length * 2);
                        found.put(partitions[i], list);
                    }
                    list[n - 1] = offsets[i];
                }
            }
            found.replaceAll((p, list) -> {
                long[] exact = Arrays.copyOf(list, counts.get(p));
                Arrays.sort(exact);
                return exact;
            });
            return found;
        } finally {
            lock.readLock().unlock();
        }
    }

    void forEach(Visitor visitor) {
        lock.readLock().lock();
        try {
            for (int i = 0; i < size; i++) {
                visitor.visit(partitions[i], offsets[i], signatures[i], ats[i], replayCounts[i], truncated[i]);
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The n newest records that pass the filter and are older than {@code before} (null: from the newest): one pass
     * with a bounded selection, no sort of the whole index.
     */
    Page newest(Filter filter, Cursor before, int n) {
        lock.readLock().lock();
        try {
            int[] top = new int[n]; // indices, newest first
            int found = 0;
            int matched = 0;
            // From the last appended: records arrive roughly in time order, so the newest are met first and the
            // rest fail the cheap comparison with the oldest kept.
            for (int i = size - 1; i >= 0; i--) {
                if (!filter.test(signatures[i], ats[i]) || (before != null && !olderThan(i, before))) {
                    continue;
                }
                matched++;
                if (found == n && !newer(i, top[n - 1])) {
                    continue;
                }
                int at = Math.min(found, n - 1);
                while (at > 0 && newer(i, top[at - 1])) {
                    top[at] = top[at - 1];
                    at--;
                }
                top[at] = i;
                found = Math.min(found + 1, n);
            }
            java.util.List<Entry> entries = new java.util.ArrayList<>(found);
            for (int k = 0; k < found; k++) {
                int i = top[k];
                entries.add(new Entry(partitions[i], offsets[i], signatures[i], ats[i], replayCounts[i], truncated[i]));
            }
            return new Page(entries, matched);
        } finally {
            lock.readLock().unlock();
        }
    }

    private boolean newer(int i, int j) {
        if (ats[i] != ats[j]) {
            return ats[i] > ats[j];
        }
        return partitions[i] != partitions[j] ? partitions[i] > partitions[j] : offsets[i] > offsets[j];
    }

    private boolean olderThan(int i, Cursor c) {
        if (ats[i] != c.at()) {
            return ats[i] < c.at();
        }
        return partitions[i] != c.partition() ? partitions[i] < c.partition() : offsets[i] < c.offset();
    }

    /** The first {@code n} added, whose partitions remember where the index now starts. */
    private void dropOldest(int n) {
        for (int i = 0; i < n; i++) {
            leftOutBelow.merge(partitions[i], offsets[i] + 1, Math::max);
        }
        keepOnly(i -> i >= n);
    }

    /** Keeps the entries that pass, in their order. */
    private void keepOnly(IntPredicate keep) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (keep.test(i)) {
                partitions[kept] = partitions[i];
                offsets[kept] = offsets[i];
                signatures[kept] = signatures[i];
                ats[kept] = ats[i];
                replayCounts[kept] = replayCounts[i];
                truncated[kept] = truncated[i];
                kept++;
            }
        }
        size = kept;
    }

    private void grow() {
        int capacity = Math.min(offsets.length + (offsets.length >> 1), Math.max(maxRecords, INITIAL));
        partitions = Arrays.copyOf(partitions, capacity);
        offsets = Arrays.copyOf(offsets, capacity);
        signatures = Arrays.copyOf(signatures, capacity);
        ats = Arrays.copyOf(ats, capacity);
        replayCounts = Arrays.copyOf(replayCounts, capacity);
        truncated = Arrays.copyOf(truncated, capacity);
    }
}
