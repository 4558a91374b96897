package dev.loginpipe.common.config;

/** A setting that cannot be used: the message names the variable and what was expected, in one line. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String variable, String problem) {
        super(variable + ": " + problem);
    }
}
