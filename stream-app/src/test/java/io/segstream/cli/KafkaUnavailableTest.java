package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SegstreamProcess;
import io.segstream.SharedData;
import io.segstream.broker.EmbeddedKafka;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every verb against a Kafka that is not there, and SIGTERM at the moments a user sends it, each in
 * a JVM of its own as a user runs it: the wait is bounded by broker.timeout.ms and ends in one line
 * and exit code 3, and a signal ends it within seconds.
 */
@Tag("integration")
class KafkaUnavailableTest {
    @TempDir
    static Path work;
    static Path model;
    static int closedPort;

    @BeforeAll
    static void prepare() throws Exception {
        model = SharedData.importModel(work.resolve("model"));
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort(); // nothing listens here once the socket is closed
        }
    }

    /** The verb's command line against {@code servers}. */
    private static String[] command(String verb, String servers, long timeoutMs) {
        List<String> args = new ArrayList<>(List.of(verb, "-b", servers, "-X", "broker.timeout.ms=" + timeoutMs));
        switch (verb) {
            case "run" -> args.addAll(List.of("--model", model.toString(), "--metrics-port", "-1"));
            case "demo" -> args.addAll(List.of("--model", model.toString(), "--frames", "5", "--no-export"));
            case "ingest" -> args.addAll(List.of("--source", "sample:vtest", "--camera", "c1"));
            case "export" -> args.addAll(List.of("--camera", "c1", "--out", work.resolve("x.mp4").toString()));
            case "view" -> args.addAll(List.of("--port", "0"));
            default -> throw new IllegalArgumentException(verb);
        }
        return args.toArray(String[]::new);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "ingest", "export", "demo", "view"})
    void givesUpOnAClosedPortWithinTheBoundWithOneLineAndExitCode3(String verb) throws Exception {
        String servers = "127.0.0.1:" + closedPort;
        try (SegstreamProcess p = SegstreamProcess.start(work.resolve(verb + "-closed.log"), List.of(),
                command(verb, servers, 3000))) {
            Integer code = p.awaitExit(Duration.ofSeconds(40));
            String out = p.output();
            assertNotNull(code, verb + " did not give up within 40 s:\n" + out);
            assertEquals(ExitCodes.KAFKA_UNAVAILABLE, code, out);
            assertTrue(out.contains("segstream: no answer from Kafka at " + servers + " within 3 s while connecting"),
                    out);
            assertTrue(out.contains("broker.timeout.ms"), "the line names the setting: " + out);
            long errorLines = out.lines().filter(l -> l.startsWith("segstream:")).count();
            assertEquals(1, errorLines, "one error line:\n" + out);
            long warnings = out.lines().filter(l -> l.contains("WARN")).count();
            assertTrue(warnings <= KafkaWarningLimit.BURST + 1, warnings + " warning lines in 3 s:\n" + out);
            System.out.printf("%s against a closed port: exit %d after %.1f s, %d warning lines%n", verb, code,
                    p.age().toMillis() / 1e3, warnings);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "ingest", "export", "demo", "view"})
    void sigtermEndsTheWaitForKafkaWithinFiveSeconds(String verb) throws Exception {
        try (SegstreamProcess p = SegstreamProcess.start(work.resolve(verb + "-sigterm.log"), List.of(),
                command(verb, "127.0.0.1:" + closedPort, 600_000))) {
            assertTrue(p.awaitOutput(out -> out.contains("could not be established"), Duration.ofSeconds(40)),
                    "never started waiting for Kafka:\n" + p.output());
            long sent = System.nanoTime();
            p.terminate();
            Integer code = p.awaitExit(Duration.ofSeconds(5));
            assertNotNull(code, verb + " still runs 5 s after SIGTERM:\n" + p.output());
            System.out.printf("%s: SIGTERM while waiting for Kafka ended it in %.2f s (exit %d)%n", verb,
                    (System.nanoTime() - sent) / 1e9, code);
        }
    }

    @Test
    void sigtermDuringTheFirstRebalanceEndsRunWithinSeconds() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(32L * 1024 * 1024);
                SegstreamProcess p = SegstreamProcess.start(work.resolve("run-rebalance.log"), List.of(),
                        "run", "-b", broker.bootstrapServers(), "--model", model.toString(), "--metrics-port", "-1",
                        "--application-id", "rebalance-close", "--report-every", "60s")) {
            // The start-up line comes right after the Streams application starts, while its group forms.
            assertTrue(p.awaitOutput(out -> out.contains("segstream run: "), Duration.ofSeconds(60)), p.output());
            long sent = System.nanoTime();
            p.terminate();
            Integer code = p.awaitExit(Duration.ofSeconds(10));
            String out = p.output();
            assertNotNull(code, "run still runs 10 s after SIGTERM:\n" + out);
            assertTrue(out.contains("segstream run: stopping (REBALANCING)"), "the signal came during the rebalance:\n"
                    + out);
            System.out.printf("run: SIGTERM during the first rebalance ended it in %.2f s (exit %d)%n",
                    (System.nanoTime() - sent) / 1e9, code);
        }
    }
}
