package dev.loginpipe.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags a drain's routers run with, the same for loginpipe and the Kafka Streams peer: a comparison gives
 * both sides the same flags, so every ratio is taken within one setting.
 */
enum JvmFlags {
    /** What {@code java -jar} gives: the JVM picks collector and JIT by itself. */
    DEFAULTS("defaults", "defaults"),
    /** loginpipe's shipped flags (the serial collector, C2's raised thresholds), given to both sides. */
    OPTIONS("options", "jvm.options");

    private final String key;
    private final String label;

    JvmFlags(String key, String label) {
        this.key = key;
        this.label = label;
    }

    /** The name {@code --jvm-flags} and {@code --only} take. */
    String key() {
        return key;
    }

    /** The name in the report. */
    String label() {
        return label;
    }

    /**
     * A router's JVM arguments: the heap, this setting's flags, then the side's own extra arguments, last so they
     * can override a flag of the file.
     */
    List<String> jvmArgs(BenchOptions options, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("-Xmx" + options.heap()));
        if (this == OPTIONS) {
            args.add("@" + options.consumerJvmOptions());
        }
        args.addAll(extra);
        return args;
    }
}
