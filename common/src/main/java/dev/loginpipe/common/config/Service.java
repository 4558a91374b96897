package dev.loginpipe.common.config;

/** The programs that read settings; each declared setting says which of them use it. */
public enum Service {
    PRODUCER("producer"),
    CONSUMER("consumer"),
    DLQ_CONSUMER("dlq-consumer"),
    DLQ_CONSOLE("dlq-console");

    private final String jarName;

    Service(String jarName) {
        this.jarName = jarName;
    }

    /** The name of the jar and of the Maven module. */
    public String jarName() {
        return jarName;
    }
}
