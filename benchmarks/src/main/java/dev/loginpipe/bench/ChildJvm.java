package dev.loginpipe.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Java process the harness starts: its output goes to a log file and is kept in memory so callers can wait for
 * a line or parse what it printed. Stopped with SIGTERM, then killed if it does not exit.
 */
final class ChildJvm implements AutoCloseable {
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private final String name;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread pump;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.pump = new Thread(() -> copy(log), name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code java <jvmArgs...>} with extra environment variables; output to {@code logDir/name.log}. */
    static ChildJvm start(String name, Path logDir, List<String> jvmArgs, Map<String, String> env) throws IOException {
        return start(name, logDir, JAVA, jvmArgs, env);
    }

    /** The same with another {@code java} than the harness's own. */
    static ChildJvm start(String name, Path logDir, Path java, List<String> jvmArgs, Map<String, String> env)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmArgs);
        Files.createDirectories(logDir);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        return new ChildJvm(name, builder.start(), logDir.resolve(name + ".log"));
    }

    long pid() {
        return process.pid();
    }

    /** CPU time used so far (user + system), in nanoseconds. */
    long cpuNanos() {
        return ProcessCpu.nanos(pid());
    }

    /**
     * CPU time of the JIT's compiler threads so far (user + system), in nanoseconds, from each thread's
     * {@code /proc/PID/task/TID/stat}. A compiler thread the JVM ended before this call is not counted (with 2 CPUs
     * HotSpot keeps one C1 and one C2 thread for the whole run).
     */
    long jitCpuNanos() throws IOException {
        long nanos = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String comm = Files.readString(task.resolve("comm")).strip();
                    if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
                        nanos += ProcessCpu.nanos(task.resolve("stat"));
                    }
                } catch (IOException | java.io.UncheckedIOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        return nanos;
    }

    /** Fails, with the last lines it printed, if the process has exited. */
    void ensureRunning() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + tail());
        }
    }

    /** Waits until the process printed a line that matches; fails if it exits or the time runs out first. */
    String awaitLine(Predicate<String> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : lines) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            ensureRunning();
            Thread.sleep(50);
        }
        throw new IllegalStateException(name + " did not print the expected line within " + timeout + ": " + tail());
    }

    /** Waits for the process to exit by itself and returns everything it printed; fails on a non-zero status. */
    List<String> awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
            throw new IllegalStateException(name + " still running after " + timeout + ": " + tail());
        }
        pump.join(5_000);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + ": " + tail());
        }
        return List.copyOf(lines);
    }

    /** Peak resident set size so far, in bytes, from {@code VmHWM} in {@code /proc/PID/status}. */
    long peakRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmHWM for " + name);
    }

    /** SIGTERM, a few seconds to exit cleanly, then SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(15));
    }

    /** SIGTERM, {@code grace} to exit (a JVM that writes a CDS archive or AOT cache at exit needs longer), SIGKILL. */
    void stop(Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        // SIGTERM through the handle: Process.destroy() also closes our end of its output, and a JVM whose output is
        // gone cannot write its start cache at exit (nor its last lines to the log).
        process.toHandle().destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private String tail() {
        int from = Math.max(0, lines.size() - 5);
        return String.join(" | ", lines.subList(from, lines.size()));
    }

    private void copy(Path log) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log), true)) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                out.println(line);
            }
        } catch (IOException e) {
            // the process closed its output: nothing more to copy
        }
    }
}
