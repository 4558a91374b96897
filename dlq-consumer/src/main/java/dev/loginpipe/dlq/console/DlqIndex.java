package dev.loginpipe.dlq.console;

import java.util.Arrays;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What the console knows of each DLQ record without its payload: coordinates, signature number, {@code error.at},
 * {@code replay.count} and whether the value was truncated, in parallel primitive arrays (26 bytes a record, so a
 * million records take about 26 MB). Payloads are read from Kafka when someone looks at them. Thread-safe: one
 * writer (the reader thread) appends, any number of requests read.
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
    private int size;
    private int[] partitions = new int[INITIAL];
    private long[] offsets = new long[INITIAL];
    private int[] signatures = new int[INITIAL];
    private long[] ats = new long[INITIAL];
    private byte[] replayCounts = new byte[INITIAL];
    private boolean[] truncated = new boolean[INITIAL];

    void addAll(java.util.List<Entry> entries) {
        lock.writeLock().lock();
        try {
            for (Entry e : entries) {
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
            }
        } finally {
            lock.writeLock().unlock();
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

    private void grow() {
        int capacity = offsets.length + (offsets.length >> 1);
        partitions = Arrays.copyOf(partitions, capacity);
        offsets = Arrays.copyOf(offsets, capacity);
        signatures = Arrays.copyOf(signatures, capacity);
        ats = Arrays.copyOf(ats, capacity);
        replayCounts = Arrays.copyOf(replayCounts, capacity);
        truncated = Arrays.copyOf(truncated, capacity);
    }
}
