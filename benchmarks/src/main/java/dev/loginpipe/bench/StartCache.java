package dev.loginpipe.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What the routers' JVMs keep of their start between runs ({@code --cds}, {@code --aot}): trained once per side and
 * setting of JVM flags by a short drain of its own, before anything is measured, then given to every measured start
 * of that side. Both sides get the same kind, each trained on its own traffic.
 */
enum StartCache {
    /** Nothing kept: every JVM loads, links and profiles from scratch (the JDK's own CDS archive aside). */
    NONE("none", ""),
    /** AppCDS: the classes the training run loaded, parsed and verified (JDK 13+). */
    CDS("cds", ".jsa"),
    /** The AOT cache (JEPs 483, 514, 515; JDK 25+): classes loaded and linked, and the training's method profiles. */
    AOT("aot", ".aot");

    private final String key;
    private final String suffix;

    StartCache(String key, String suffix) {
        this.key = key;
        this.suffix = suffix;
    }

    String key() {
        return key;
    }

    /** Where a run's files are: each run trains its own, for the jars it measures. */
    static Path dir(BenchOptions options) {
        return options.workDir().resolve("start-cache");
    }

    /** The file of one side ("loginpipe", "streams") under one setting of flags. */
    Path file(BenchOptions options, String side, JvmFlags flags) {
        return dir(options).resolve(side + "-" + flags.key() + suffix);
    }

    /** The JVM arguments that write the file when the training JVM exits, or that use it. */
    List<String> jvmArgs(Path file, boolean training) {
        return switch (this) {
            case NONE -> List.of();
            case CDS -> List.of((training ? "-XX:ArchiveClassesAtExit=" : "-XX:SharedArchiveFile=") + file);
            case AOT -> List.of((training ? "-XX:AOTCacheOutput=" : "-XX:AOTCache=") + file);
        };
    }
}
