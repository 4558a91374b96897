package dev.loginpipe.bench;

/** The topics and consumer group of one measurement: fresh output, DLQ and group, so no run sees another's. */
record RunTopics(String name, String input, String output, String dlq, String group) {
    /** Fresh topics and group, the input included. */
    static RunTopics named(String name) {
        return reading(name + "-in", name);
    }

    /** Fresh output, DLQ and group reading an existing input: every contender routes the same preloaded records. */
    static RunTopics reading(String input, String name) {
        return new RunTopics(name, input, name + "-out", name + "-dlq", name + "-group");
    }
}
