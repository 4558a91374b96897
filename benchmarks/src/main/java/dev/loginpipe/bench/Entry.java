package dev.loginpipe.bench;

/** One row of drains: a contender under one setting of JVM flags. */
record Entry(Contender contender, JvmFlags flags) {
    /** The name {@code --only} takes and the JSON shows, e.g. {@code loginpipe-1/options}. */
    String key() {
        return contender.key() + "/" + flags.key();
    }

    /** For topic, group and log names (no '/' there). */
    String runName() {
        return contender.key() + "-" + flags.key();
    }
}
