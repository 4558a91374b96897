package dev.loginpipe.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time (user + system) of processes, read from {@code /proc/PID/stat} (Linux): what the CPU columns count. */
final class ProcessCpu {
    /** Fields of {@code /proc/PID/stat} after the command name, counted from 0: utime, then stime; cutime, cstime. */
    private static final int UTIME = 11;
    private static final int CUTIME = 13;
    private static final long TICKS_PER_SECOND = ticksPerSecond();

    private ProcessCpu() {
    }

    /** CPU time a live process has used so far, in nanoseconds. */
    static long nanos(long pid) {
        return nanos(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** The same from a {@code stat} file: a process's, or one thread's ({@code /proc/PID/task/TID/stat}). */
    static long nanos(Path stat) {
        return pair(stat, UTIME);
    }

    /**
     * CPU time of this JVM's children that have exited and been waited for, in nanoseconds: how the harness counts
     * a tool's CPU, which can only be read in full once it has exited.
     */
    static long exitedChildrenNanos() {
        return pair(Path.of("/proc/self/stat"), CUTIME);
    }

    /** The sum of two adjacent clock-tick fields, in nanoseconds. */
    private static long pair(Path stat, int field) {
        String line;
        try {
            line = Files.readString(stat, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + stat, e);
        }
        // The command name, in parentheses, may itself hold spaces: count fields after its closing one.
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[field]) + Long.parseLong(fields[field + 1]);
        return ticks * 1_000_000_000L / TICKS_PER_SECOND;
    }

    /** {@code getconf CLK_TCK}; 100 on every common Linux if it cannot be asked. */
    private static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
