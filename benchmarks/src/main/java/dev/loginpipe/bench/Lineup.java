package dev.loginpipe.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The entries one run drains, and the order they run in each round. */
record Lineup(List<Entry> entries) {

    /** Every contender under every setting of JVM flags that the options keep. */
    static Lineup of(BenchOptions options) {
        List<Entry> entries = new ArrayList<>();
        for (JvmFlags flags : JvmFlags.values()) {
            for (Contender contender : Contender.values()) {
                Entry entry = new Entry(contender, flags);
                if (options.measures(entry)) {
                    entries.add(entry);
                }
            }
        }
        return new Lineup(List.copyOf(entries));
    }

    /** The settings of JVM flags that have at least one entry. */
    List<JvmFlags> settings() {
        return entries.stream().map(Entry::flags).distinct().sorted().toList();
    }

    /**
     * Round {@code round}'s order (from 1): contender by contender, its settings one right after the other,
     * so a slow minute of the machine hits both settings alike. Each round the contender that goes first moves by
     * one, and the setting that goes first within each contender alternates.
     */
    List<Entry> inRound(int round) {
        List<Contender> contenders =
                new ArrayList<>(entries.stream().map(Entry::contender).distinct().sorted().toList());
        List<JvmFlags> settings = new ArrayList<>(settings());
        Collections.rotate(contenders, -(round - 1));
        Collections.rotate(settings, -(round - 1));
        List<Entry> order = new ArrayList<>();
        for (Contender contender : contenders) {
            for (JvmFlags flags : settings) {
                Entry entry = new Entry(contender, flags);
                if (entries.contains(entry)) {
                    order.add(entry);
                }
            }
        }
        return order;
    }
}
