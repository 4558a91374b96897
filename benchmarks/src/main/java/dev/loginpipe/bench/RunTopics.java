package dev.loginpipe.bench;

/** The fresh topics and consumer group of one measurement, so no run sees another's records or offsets. */
record RunTopics(String name, String input, String output, String dlq, String group) {
    static RunTopics named(String name) {
        return new RunTopics(name, name + "-in", name + "-out", name + "-dlq", name + "-group");
    }
}
