package dev.loginpipe.bench;

import java.io.IOException;
import java.util.List;

/** What routes the preloaded input in one drain: loginpipe with 1 or 3 instances, or the Kafka Streams peer. */
enum Contender {
    LOGINPIPE_1("loginpipe-1", "loginpipe, 1 instance"),
    LOGINPIPE_3("loginpipe-3", "loginpipe, 3 instances"),
    STREAMS_DEFAULTS("streams-defaults", "Kafka Streams, exactly_once_v2, defaults (1 thread, commit every 100 ms)"),
    STREAMS_TUNED("streams-tuned", "Kafka Streams, exactly_once_v2, producer batch.size 256 KB (nothing else changed)");

    private final String key;
    private final String label;

    Contender(String key, String label) {
        this.key = key;
        this.label = label;
    }

    /** Short name for {@code --only}, topics, logs and JSON. */
    String key() {
        return key;
    }

    String label() {
        return label;
    }

    /** Whose start cache it uses: "loginpipe" or "streams" (the variants of a side share one). */
    String side() {
        return this == LOGINPIPE_1 || this == LOGINPIPE_3 ? "loginpipe" : "streams";
    }

    /** Its routers; a training fleet writes its side's start cache when it stops. */
    RouterFleet start(BenchOptions options, RunTopics run, JvmFlags flags, boolean training)
            throws IOException, InterruptedException {
        return switch (this) {
            case LOGINPIPE_1 -> RouterFleet.loginpipe(options, run, 1, flags, training);
            case LOGINPIPE_3 -> RouterFleet.loginpipe(options, run, 3, flags, training);
            case STREAMS_DEFAULTS -> RouterFleet.streams(options, run, List.of(), flags, training);
            case STREAMS_TUNED ->
                    RouterFleet.streams(options, run, List.of("producer.batch.size=" + 256 * 1024), flags, training);
        };
    }
}
