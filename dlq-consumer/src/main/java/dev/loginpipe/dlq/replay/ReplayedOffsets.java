package dev.loginpipe.dlq.replay;

import java.util.BitSet;

/**
 * The replayed offsets of one DLQ partition: one bit per offset from the partition's first offset when the ledger
 * was read (records before it are gone from the DLQ), so 1,000,000 records take 125-250 KB.
 */
final class ReplayedOffsets {
    private final long base;
    private final BitSet bits = new BitSet();

    ReplayedOffsets(long base) {
        this.base = base;
    }

    void add(long offset) {
        if (offset >= base) {
            bits.set(Math.toIntExact(offset - base));
        }
    }

    void remove(long offset) {
        if (offset >= base) {
            bits.clear(Math.toIntExact(offset - base));
        }
    }

    boolean contains(long offset) {
        return offset >= base && offset - base <= Integer.MAX_VALUE && bits.get((int) (offset - base));
    }

    long count() {
        return bits.cardinality();
    }

    /** Bytes the bits take. */
    long memoryBytes() {
        return bits.size() / 8;
    }
}
