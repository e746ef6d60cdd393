package io.segstream.bench;

import io.segstream.broker.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An embedded KRaft broker in a JVM of its own, for harnesses that must not share the processor's
 * heap, GC and JIT with the broker (as in a deployment). {@link #main} starts the broker, prints
 * {@code bootstrap.servers=...} and runs until its standard input closes; {@link #start} launches it
 * from a harness and reads that line.
 */
public final class BrokerProcess implements AutoCloseable {
    private static final String READY = "bootstrap.servers=";
    private final Process process;
    private final String bootstrapServers;

    private BrokerProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /** {@code BrokerProcess [max.message.bytes]}: the broker until stdin closes. */
    public static void main(String[] args) throws IOException {
        long maxMessageBytes = args.length > 0 ? Long.parseLong(args[0]) : 32 * 1024 * 1024;
        try (EmbeddedKafka broker = EmbeddedKafka.start(maxMessageBytes)) {
            System.out.println(READY + broker.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the harness closes our stdin (or dies)
            }
        }
    }

    /** Launches the broker JVM ({@code -Xmx} as given) and waits until it serves. */
    public static BrokerProcess start(String heap, long maxMessageBytes, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + heap, "-cp", System.getProperty("java.class.path"),
                BrokerProcess.class.getName(), Long.toString(maxMessageBytes)));
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith(READY)) {
                drain(out);
                return new BrokerProcess(process, line.substring(READY.length()));
            }
        }
        process.destroyForcibly();
        throw new IOException("the broker process ended before it served; see " + log);
    }

    /** Reads what the broker prints after the ready line, so that a full pipe never blocks it. */
    private static void drain(BufferedReader out) {
        Thread drainer = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discarded: the broker logs to stderr, which goes to the log file
                }
            } catch (IOException e) {
                // the broker is gone
            }
        }, "broker-stdout");
        drainer.setDaemon(true);
        drainer.start();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Closes stdin so that the broker shuts down cleanly; kills it after 30 s. */
    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
