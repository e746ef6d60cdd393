package io.segstream.deploy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SegstreamProcess;
import io.segstream.SharedData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.schemas.v1.Mask;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/ run for real with podman, after {@code package} (failsafe): the CPU image built from
 * deploy/image/Containerfile on a base made without a registry, the broker image from
 * deploy/kafka/Containerfile, and the compose stack of deploy/compose with both, the only
 * difference from what users run being the image names. Skipped with one line where podman is not.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("integration")
class DeploymentIT {
    static final String IMAGE = "localhost/segstream:it";
    static final String KAFKA_IMAGE = "localhost/segstream-kafka:it";
    static final String PROJECT = "segstream-it";
    static final int FRAMES = 150;

    @TempDir
    static Path work;

    @BeforeAll
    static void images() {
        Podman.requireUsable("podman", "podman-compose");
        String base = Podman.base();
        Podman.build("deploy/image/Containerfile", base, IMAGE);
        Podman.build("deploy/kafka/Containerfile", base, KAFKA_IMAGE);
    }

    @Test
    @Order(1)
    void theImageRunsAsItsOwnUserAndSegmentsTheGoldenImageAsOutside() throws Exception {
        Podman.Result help = Podman.run(Duration.ofMinutes(1), "podman", "run", "--rm", IMAGE, "--help");
        assertEquals(0, help.exit(), help.output());
        assertTrue(help.output().contains("Usage: segstream"), help.output());
        Podman.Result user = Podman.run(Duration.ofMinutes(1), "podman", "run", "--rm", "--entrypoint", "id", IMAGE);
        assertTrue(user.output().startsWith("uid=10001(segstream)"), user.output());

        Path out = Files.createDirectories(work.resolve("out"));
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxrwxrwx")); // the image's user writes
        Path golden = SharedData.path(Assets.GOLDEN_IMAGE);
        Podman.Result inside = Podman.run(Duration.ofMinutes(3), "podman", "run", "--rm",
                "-v", SharedData.dir().toRealPath() + ":/data:ro", "-e", "SEGSTREAM_DATA_DIR=/data",
                "-v", out + ":/out", IMAGE, "segment", "--input", "/data/" + SharedData.dir().toRealPath()
                        .relativize(golden.toRealPath()), "--out", "/out/labels.png");
        assertEquals(0, inside.exit(), inside.output());
        Path outside = work.resolve("outside.png");
        try (SegstreamProcess p = SegstreamProcess.start(work.resolve("segment.log"), List.of(), "segment",
                "--input", golden.toString(), "--out", outside.toString())) {
            assertEquals(0, p.awaitExit(Duration.ofMinutes(3)), p.output());
        }
        BufferedImage a = ImageIO.read(out.resolve("labels.png").toFile());
        BufferedImage b = ImageIO.read(outside.toFile());
        assertEquals(b.getWidth(), a.getWidth());
        assertEquals(b.getHeight(), a.getHeight());
        assertArrayEquals(b.getRaster().getPixels(0, 0, b.getWidth(), b.getHeight(), (int[]) null),
                a.getRaster().getPixels(0, 0, a.getWidth(), a.getHeight(), (int[]) null),
                "labels inside the container differ from outside");
        System.out.println("containers: segment in the image gave the same " + a.getWidth() + "x" + a.getHeight()
                + " labels as outside");
    }

    @Test
    @Order(2)
    void theComposeStackSegmentsACameraOnceFrameByFrameThroughTheLossOfAReplica() throws Exception {
        int[] ports = EmbeddedKafka.freeLoopbackPorts(3);
        int kafkaPort = ports[0];
        int[] metricsPorts = {ports[1], ports[2]};
        Map<String, String> env = new HashMap<>(Map.of(
                "SEGSTREAM_IMAGE", IMAGE, "KAFKA_IMAGE", KAFKA_IMAGE,
                "SEGSTREAM_DATA", SharedData.dir().toRealPath().toString(),
                "KAFKA_PORT", Integer.toString(kafkaPort),
                "RUN1_METRICS_PORT", Integer.toString(metricsPorts[0]),
                "RUN2_METRICS_PORT", Integer.toString(metricsPorts[1]),
                "INGEST_FRAMES", Integer.toString(FRAMES)));
        String[] compose = {"podman-compose", "-p", PROJECT, "-f", "deploy/compose/compose.yaml"};
        Podman.run(Duration.ofMinutes(2), env, concat(compose, "down", "-t", "2")); // leftovers of an earlier run
        long up = System.nanoTime();
        Podman.Result started = Podman.run(Duration.ofMinutes(3), env, concat(compose, "up", "-d"));
        assertEquals(0, started.exit(), started.output());
        try {
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(),
                    Map.of("bootstrap.servers", "127.0.0.1:" + kafkaPort, "broker.timeout.ms", "60000"));
            KafkaSettings kafka = new KafkaSettings(loaded.segstream(), loaded.kafka());
            Map<Long, Integer> perSequence = new HashMap<>();
            List<Long> order = new ArrayList<>();
            List<Long> arrivals = new ArrayList<>();
            long firstMaskAt = -1;
            long killedAt = -1;
            String killed = null;
            String survivor = null;
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(kafka.consumer(),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
                boolean assigned = false;
                while (perSequence.size() < FRAMES && System.nanoTime() < deadline) {
                    if (!assigned) {
                        List<PartitionInfo> parts = partitions(consumer, "masks");
                        if (parts.isEmpty()) {
                            Thread.sleep(500);
                            continue;
                        }
                        consumer.assign(parts.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList());
                        consumer.seekToBeginning(consumer.assignment());
                        assigned = true;
                    }
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        Mask mask = Mask.parseFrom(record.value());
                        assertEquals("lobby", mask.getCameraId());
                        perSequence.merge(mask.getSequence(), 1, Integer::sum);
                        order.add(mask.getSequence());
                        arrivals.add(System.nanoTime());
                        if (firstMaskAt < 0) {
                            firstMaskAt = System.nanoTime();
                        }
                    }
                    // Mid-stream, SIGKILL the replica that holds the camera; the other must take it over.
                    if (killed == null && perSequence.size() >= FRAMES / 4) {
                        int owner = owner(metricsPorts);
                        killed = PROJECT + "_run-" + owner + "_1";
                        survivor = PROJECT + "_run-" + (3 - owner) + "_1";
                        Podman.Result kill = Podman.run(Duration.ofMinutes(1), "podman", "rm", "-f", "-t", "0",
                                killed); // SIGKILL, and no restart by the restart policy
                        assertEquals(0, kill.exit(), kill.output());
                        killedAt = System.nanoTime();
                        System.out.printf("compose: SIGKILL to %s after %d masks%n", killed, perSequence.size());
                    }
                }
            }
            assertTrue(killed != null, "the stack never got to a quarter of the frames");
            assertEquals(FRAMES, perSequence.size(), "masks for " + perSequence.size() + " of " + FRAMES
                    + " frames:\n" + logs(env, survivor));
            assertTrue(perSequence.values().stream().allMatch(n -> n == 1), "a frame got two masks: " + perSequence);
            for (int i = 1; i < order.size(); i++) {
                assertTrue(order.get(i) > order.get(i - 1), "out of order at " + i + ": " + order);
            }
            long stall = 0;
            for (int i = 1; i < arrivals.size(); i++) {
                if (arrivals.get(i) > killedAt) {
                    stall = Math.max(stall, arrivals.get(i) - arrivals.get(i - 1));
                }
            }
            int survivorPort = metricsPorts[survivor.contains("run-1") ? 0 : 1];
            String metrics = get(survivorPort, "/metrics").body();
            assertTrue(metrics.contains("segstream_masks_total"), metrics);
            HttpResponse<String> ready = get(survivorPort, "/readyz");
            assertEquals(200, ready.statusCode(), ready.body());
            System.out.printf("compose: up to first mask %.1f s; %d frames, one mask each, in order, through the "
                            + "SIGKILL of %s; longest gap between masks after it %.1f s; %s%n",
                    (firstMaskAt - up) / 1e9, FRAMES, killed, stall / 1e9, ready.body().strip());
        } finally {
            Podman.run(Duration.ofMinutes(2), env, concat(compose, "down", "-t", "5"));
        }
    }

    @Test
    @Order(3)
    void theCpuOverlayRunsUnderPodmanKubePlayAndBecomesReady() throws Exception {
        KubernetesManifestsTest.requireKubectl();
        List<JsonNode> rendered = KubernetesManifestsTest.render("cpu");
        int metricsPort = EmbeddedKafka.freeLoopbackPorts(1)[0];
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            // What a pod needs that a cluster would give it: the two secrets Strimzi writes (stand-ins
            // here, unused on the test broker's PLAINTEXT listener), the ConfigMap pointed at the test
            // broker, and the image built above. Strimzi's resources, the Service and the budget need a
            // cluster; the host network lets the pod reach the broker on loopback, so it publishes no ports.
            List<JsonNode> play = new ArrayList<>();
            play.add(secret("segstream-cluster-ca-cert", Map.of("ca.p12", "stand-in", "ca.password", "stand-in")));
            play.add(secret("segstream-processor", Map.of("sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";")));
            for (JsonNode doc : rendered) {
                String kind = doc.path("kind").asText();
                if (kind.equals("ConfigMap")) {
                    ObjectNode data = (ObjectNode) doc.path("data");
                    StringBuilder props = new StringBuilder();
                    for (String line : data.path("segstream.properties").asText().split("\n")) {
                        if (!line.matches("(security|sasl|ssl)\\..*|bootstrap\\.servers=.*|metrics\\.port=.*")) {
                            props.append(line).append('\n');
                        }
                    }
                    props.append("bootstrap.servers=").append(broker.bootstrapServers()).append('\n')
                            .append("metrics.port=").append(metricsPort).append('\n');
                    data.put("segstream.properties", props.toString());
                    play.add(doc);
                } else if (kind.equals("Deployment")) {
                    ((ObjectNode) doc.path("spec")).put("replicas", 1);
                    ObjectNode pod = (ObjectNode) doc.path("spec").path("template").path("spec");
                    ObjectNode container = (ObjectNode) pod.path("containers").get(0);
                    container.put("image", IMAGE);
                    container.remove("ports");
                    ((ArrayNode) container.path("env")).addObject().put("name", "SEGSTREAM_DATA_DIR").put("value", "/data");
                    ((ArrayNode) container.path("volumeMounts")).addObject().put("name", "data")
                            .put("mountPath", "/data").put("readOnly", true);
                    ((ArrayNode) pod.path("volumes")).addObject().put("name", "data").putObject("hostPath")
                            .put("path", SharedData.dir().toRealPath().toString()).put("type", "Directory");
                    play.add(doc);
                }
            }
            Path file = work.resolve("play.yaml");
            StringBuilder yaml = new StringBuilder();
            for (JsonNode doc : play) {
                yaml.append(KubernetesManifestsTest.YAML.writeValueAsString(doc));
            }
            Files.writeString(file, yaml);
            Podman.run(Duration.ofMinutes(1), "podman", "kube", "down", file.toString()); // an earlier run's
            long t0 = System.nanoTime();
            Podman.Result played = Podman.run(Duration.ofMinutes(3), "podman", "kube", "play", "--network", "host",
                    file.toString());
            assertEquals(0, played.exit(), played.output() + "\n" + yaml);
            try {
                HttpResponse<String> ready = null;
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (System.nanoTime() < deadline) {
                    try {
                        ready = get(metricsPort, "/readyz");
                        if (ready.statusCode() == 200) {
                            break;
                        }
                    } catch (java.io.IOException notYet) {
                        // the JVM in the pod is still starting
                    }
                    Thread.sleep(500);
                }
                String logs = Podman.run(Duration.ofMinutes(1), "podman", "logs",
                        "segstream-processor-pod-0-processor").output();
                assertTrue(ready != null && ready.statusCode() == 200, (ready == null ? "no answer" : ready.body())
                        + "\n" + Podman.tail(logs));
                assertEquals(200, get(metricsPort, "/healthz").statusCode());
                assertTrue(logs.contains("segstream run: frames -> masks"), Podman.tail(logs));
                System.out.printf("kube play: the cpu overlay's processor ready in %.1f s (%s)%n",
                        (System.nanoTime() - t0) / 1e9, ready.body().strip());
            } finally {
                Podman.run(Duration.ofMinutes(2), "podman", "kube", "down", file.toString());
            }
        }
    }

    private static JsonNode secret(String name, Map<String, String> values) {
        ObjectNode secret = KubernetesManifestsTest.YAML.createObjectNode();
        secret.put("apiVersion", "v1").put("kind", "Secret").putObject("metadata").put("name", name);
        ObjectNode data = secret.putObject("data");
        values.forEach((k, v) -> data.put(k, java.util.Base64.getEncoder().encodeToString(
                v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return secret;
    }

    private static List<PartitionInfo> partitions(KafkaConsumer<String, byte[]> consumer, String topic) {
        try {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            return parts == null ? List.of() : parts;
        } catch (org.apache.kafka.common.KafkaException e) {
            return List.of(); // the broker is still starting
        }
    }

    /**
     * The replica processing the camera now: the one whose frame count grows (both may have frames,
     * since the partition can move between them while the group forms).
     */
    private static int owner(int[] ports) throws InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            long[] before = {framesIn(ports[0]), framesIn(ports[1])};
            Thread.sleep(1_500);
            long grew1 = framesIn(ports[0]) - before[0];
            long grew2 = framesIn(ports[1]) - before[1];
            if (grew1 != grew2 && (grew1 == 0 || grew2 == 0)) {
                return grew1 > 0 ? 1 : 2;
            }
        }
        throw new AssertionError("neither replica alone is processing the camera");
    }

    private static long framesIn(int port) {
        try {
            Matcher m = Pattern.compile("(?m)^segstream_frames_total\\S* ([0-9.E]+)").matcher(get(port, "/metrics")
                    .body());
            return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String logs(Map<String, String> env, String container) {
        return container == null ? "" : Podman.tail(Podman.run(Duration.ofMinutes(1), env, "podman", "logs",
                container).output());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
