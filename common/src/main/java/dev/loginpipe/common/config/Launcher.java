package dev.loginpipe.common.config;

import java.util.Arrays;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every jar does before its real work: answer {@code --help}, or load the settings or exit with status 2. */
public final class Launcher {
    /** Exit status of a bad setting or command line. */
    public static final int EXIT_CONFIG = 2;

    private Launcher() {
    }

    public static boolean helpRequested(String[] args) {
        return Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
    }

    /** Loads the settings from the process environment; on a bad one prints one line and exits 2. */
    public static Config configure(Service service) {
        try {
            Config config = Config.load(service, System.getenv());
            Logger log = LoggerFactory.getLogger(service.jarName());
            log.info("settings: {}", config.describe());
            return config;
        } catch (ConfigException e) {
            throw exit(service, e.getMessage());
        }
    }

    /** Prints "jar: message" on stderr and exits 2. Returns an exception only so callers can write {@code throw}. */
    public static RuntimeException exit(Service service, String message) {
        System.err.println(service.jarName() + ": " + message);
        System.exit(EXIT_CONFIG);
        return new IllegalStateException(message);
    }
}
