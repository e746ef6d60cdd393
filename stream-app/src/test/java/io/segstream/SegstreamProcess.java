package io.segstream;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The {@code segstream} command line in a JVM of its own, as a user runs it: stdout and stderr go
 * to one log file, which the test can wait on; {@link #close()} kills what is left.
 */
public final class SegstreamProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final long startNanos = System.nanoTime();

    private SegstreamProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code segstream ARGS...} with the test data as its data directory; output goes to {@code log}. */
    public static SegstreamProcess start(Path log, List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dai.djl.offline=true", "-Dsegstream.data.dir=" + SharedData.dir()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.segstream.cli.Main"));
        command.addAll(List.of(args));
        File file = log.toFile();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file).start();
        return new SegstreamProcess(process, log);
    }

    /** Everything the process printed so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until the output satisfies {@code condition}; false when the process ended or time ran out first. */
    public boolean awaitOutput(Predicate<String> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.test(output())) {
                return true;
            }
            if (!process.isAlive()) {
                return condition.test(output());
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Waits for the exit; the exit code, or null when it did not end within {@code timeout}. */
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    /** SIGTERM, as a container runtime or {@code kill} sends it. */
    public void terminate() {
        process.destroy();
    }

    /** SIGKILL. */
    public void kill() {
        process.destroyForcibly();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Time since the start. */
    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    public Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
