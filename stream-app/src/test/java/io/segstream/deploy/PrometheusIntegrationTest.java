package io.segstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.SegstreamProcess;
import io.segstream.SharedData;
import io.segstream.broker.EmbeddedKafka;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/'s monitoring against a real Prometheus (Debian's): a real {@code segstream run} in live
 * mode and one {@code segstream ingest} per camera (gate and yard, the sample clip looped) on the
 * embedded broker, scraped by Prometheus with the shipped scrape file (its targets pointed at these
 * processes, scrape and evaluation every second) and the shipped rules unchanged. Then (a) every
 * query of the Grafana dashboard returns a result through Prometheus's HTTP API, (b) yard's ingest is
 * killed and the time until its alerts fire is measured, (c) gate, healthy throughout, raises none.
 * Skipped with one line where Prometheus is not installed.
 */
@Tag("integration")
class PrometheusIntegrationTest {
    static final Path DASHBOARD = Podman.ROOT.resolve("deploy/compose/grafana/dashboards/segstream.json");
    static final Pattern METRICS_URL = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @Test
    void theDashboardQueriesAnswerAStoppedCameraAlertsAndAHealthyOneDoesNot() throws Exception {
        Podman.requireTool("prometheus", "the dashboard and the alerts are not tried against a real Prometheus");
        long t0 = System.nanoTime();
        Path model = SharedData.importModel(work.resolve("model"));
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024);
                SegstreamProcess run = SegstreamProcess.start(work.resolve("run.log"), List.of(), "run",
                        "-b", broker.bootstrapServers(), "--model", model.toString(), "--metrics-port", "0",
                        "--fit", "squash", "--inference-threads", "2", "--max-frame-age-ms", "1000",
                        "--report-every", "5s");
                SegstreamProcess gate = ingest(broker, "gate");
                SegstreamProcess yard = ingest(broker, "yard")) {
            int runPort = port(run);
            Map<String, Integer> ingestPorts = Map.of("gate", port(gate), "yard", port(yard));
            String prometheus = startPrometheus(runPort, ingestPorts);
            try (AutoCloseableProcess ignored = new AutoCloseableProcess(prometheusProcess)) {
                dashboardQueriesAnswer(prometheus, run);
                System.out.printf(Locale.ROOT, "prometheus: every dashboard query answered %.0f s after the start%n",
                        (System.nanoTime() - t0) / 1e9);

                yard.kill(); // the camera's ingest stops: no more frames of yard
                long stoppedAt = System.nanoTime();
                Map<String, Double> firedAfter = new TreeMap<>();
                List<String> gateAlerts = new ArrayList<>();
                long deadline = stoppedAt + Duration.ofSeconds(150).toNanos();
                while (System.nanoTime() < deadline && !firedAfter.keySet().containsAll(
                        List.of("SegstreamCameraSilent", "SegstreamIngestDown"))) {
                    for (JsonNode alert : get(prometheus, "/api/v1/alerts").path("data").path("alerts")) {
                        String camera = alert.path("labels").path("camera").asText();
                        String name = alert.path("labels").path("alertname").asText();
                        boolean firing = alert.path("state").asText().equals("firing");
                        if (firing && camera.equals("yard")) {
                            firedAfter.putIfAbsent(name, (System.nanoTime() - stoppedAt) / 1e9);
                        }
                        if (firing && !camera.equals("yard")) {
                            gateAlerts.add(name + " " + alert.path("labels") + " " + alert.path("annotations"));
                        }
                    }
                    Thread.sleep(500);
                }
                System.out.printf(Locale.ROOT, "prometheus: yard's ingest killed; firing after (s): %s%n",
                        firedAfter.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(),
                                e.getValue())).toList());
                assertNotNull(firedAfter.get("SegstreamCameraSilent"), "no SegstreamCameraSilent for yard within "
                        + "150 s; alerts: " + get(prometheus, "/api/v1/alerts"));
                assertNotNull(firedAfter.get("SegstreamIngestDown"), "no SegstreamIngestDown for yard within 150 s; "
                        + "alerts: " + get(prometheus, "/api/v1/alerts"));
                // 30 s without a mask, then for: 30s; up == 0 for: 1m. Scrapes and evaluations add a second or two.
                assertTrue(firedAfter.get("SegstreamCameraSilent") >= 59, firedAfter.toString());
                assertTrue(firedAfter.get("SegstreamIngestDown") >= 59, firedAfter.toString());
                assertEquals(List.of(), gateAlerts, "the healthy camera and the processor raise nothing");
                String summary = get(prometheus, "/api/v1/alerts").path("data").path("alerts").toString();
                assertTrue(summary.contains("Camera yard: no mask for"), summary);
                List<String> pending = new ArrayList<>();
                for (JsonNode alert : get(prometheus, "/api/v1/alerts").path("data").path("alerts")) {
                    pending.add(alert.path("labels").path("alertname").asText() + "{camera="
                            + alert.path("labels").path("camera").asText() + "} " + alert.path("state").asText());
                }
                assertFalse(pending.contains("SegstreamCameraWithoutMasks{camera=yard} firing"), pending.toString());
                System.out.printf(Locale.ROOT, "prometheus: alerts at the end: %s; test took %.0f s%n", pending,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    private Process prometheusProcess;

    /** A process ended with the test, whatever happens. */
    private record AutoCloseableProcess(Process process) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private SegstreamProcess ingest(final EmbeddedKafka broker, final String camera) throws Exception {
        // The clip looped (a file "reconnects" at its end under ingest.reconnect=on), paced as a camera.
        return SegstreamProcess.start(work.resolve("ingest-" + camera + ".log"), List.of(), "ingest",
                "-b", broker.bootstrapServers(), "--source", "sample:vtest", "--camera", camera, "--realtime",
                "--metrics-port", "0", "-X", "ingest.reconnect=on", "-X", "ingest.reconnect.backoff.ms=100");
    }

    /** The metrics port a segstream process printed at start. */
    private static int port(final SegstreamProcess process) throws InterruptedException {
        assertTrue(process.awaitOutput(o -> METRICS_URL.matcher(o).find(), Duration.ofSeconds(90)),
                process.output());
        Matcher m = METRICS_URL.matcher(process.output());
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    /**
     * Prometheus with a copy of the shipped scrape file: targets at this test's ports, scrape and
     * evaluation every second; the shipped rules under rules/, as compose mounts them. Its base URL.
     */
    private String startPrometheus(final int runPort, final Map<String, Integer> ingestPorts) throws Exception {
        ObjectNode config = (ObjectNode) KubernetesManifestsTest.YAML.readTree(
                Podman.ROOT.resolve("deploy/compose/prometheus/prometheus.yml").toFile());
        ObjectNode global = (ObjectNode) config.path("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        for (JsonNode job : config.path("scrape_configs")) {
            ArrayNode statics = ((ObjectNode) job).putArray("static_configs");
            if (job.path("job_name").asText().equals("segstream")) {
                statics.addObject().putArray("targets").add("127.0.0.1:" + runPort);
            } else {
                assertEquals("segstream-ingest", job.path("job_name").asText());
                for (Map.Entry<String, Integer> camera : ingestPorts.entrySet()) {
                    ObjectNode target = statics.addObject();
                    target.putArray("targets").add("127.0.0.1:" + camera.getValue());
                    target.putObject("labels").put("camera", camera.getKey());
                }
            }
        }
        Path dir = work.resolve("prometheus");
        Files.createDirectories(dir.resolve("rules"));
        KubernetesManifestsTest.YAML.writeValue(dir.resolve("prometheus.yml").toFile(), config);
        Files.copy(PrometheusRulesTest.RULES, dir.resolve("rules/segstream.rules.yml"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        prometheusProcess = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return base;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            assertTrue(System.nanoTime() < deadline && prometheusProcess.isAlive(),
                    "Prometheus did not get ready:\n" + Files.readString(dir.resolve("prometheus.log")));
            Thread.sleep(200);
        }
    }

    /** Waits until every dashboard query has a result (the template's $camera as every camera). */
    private static void dashboardQueriesAnswer(final String prometheus, final SegstreamProcess run)
            throws Exception {
        Map<String, Integer> results = new LinkedHashMap<>();
        for (JsonNode panel : JSON.readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                results.put(target.path("expr").asText().replace("$camera", ".*"), 0);
            }
        }
        assertTrue(results.size() >= 16, results.keySet().toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (results.containsValue(0) && System.nanoTime() < deadline) {
            for (Map.Entry<String, Integer> query : results.entrySet()) {
                if (query.getValue() == 0) {
                    JsonNode answer = get(prometheus, "/api/v1/query?query="
                            + URLEncoder.encode(query.getKey(), StandardCharsets.UTF_8));
                    assertEquals("success", answer.path("status").asText(), query.getKey() + ": " + answer);
                    query.setValue(answer.path("data").path("result").size());
                }
            }
            Thread.sleep(1000);
        }
        List<String> empty = results.entrySet().stream().filter(e -> e.getValue() == 0).map(Map.Entry::getKey)
                .toList();
        assertEquals(List.of(), empty, "dashboard queries without a result; processor log:\n" + run.output());
        System.out.println("prometheus: dashboard queries and their series: " + results);
    }

    private static JsonNode get(final String prometheus, final String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(prometheus + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }
}
