package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicAdmin;
import io.segstream.broker.TopicReader;
import io.segstream.codec.LabelRle;
import io.segstream.codec.VideoSource;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.ingest.FrameIngestor;
import io.segstream.metrics.MaskTally;
import io.segstream.schemas.v1.ClassArea;
import io.segstream.schemas.v1.Mask;
import io.segstream.schemas.v1.PixelFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer recipes in examples/ against a real broker and real masks: the Python client
 * (confluent-kafka, protoc-generated classes, numpy) and the Node.js one (kafkajs, protobufjs) decode
 * every mask's labels pixel for pixel as the JVM does, their class areas match Mask.class_areas and
 * their COCO RLE decoding matches the labels; kcat reads the same records. A client that is not
 * installed is skipped with one line saying how to install it.
 */
@Tag("integration")
class ConsumerExamplesTest {
    static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    static final Path PROTO = Path.of("..", "schemas", "src", "main", "proto").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path modelDir;
    static EmbeddedKafka broker;
    static SegstreamConfig config;
    /** The masks as the JVM reads them, by "camera-sequence". */
    static final Map<String, Mask> MASKS = new LinkedHashMap<>();

    @BeforeAll
    static void produceMasks() throws Exception {
        SharedData.importModel(modelDir);
        broker = EmbeddedKafka.start(32 * 1024 * 1024);
        ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                SegstreamConfig.MASK_COCO_RLE, "true",
                SegstreamConfig.FIT, "tile", // the 257 model the tests import sees vtest's people at native size
                SegstreamConfig.INFERENCE_THREADS, "2",
                // masks smaller than their frames (vtest's 480x360 is worked at 320x240): the clients must read
                // the label map's own size and say the frame's
                SegstreamConfig.WORKING_MAX_SIDE, "320",
                "commit.interval.ms", "200"));
        config = loaded.segstream();
        KafkaSettings kafka = new KafkaSettings(config, loaded.kafka());
        TopicAdmin.ensureAll(config, kafka);
        long sent = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.producer(), new StringSerializer(),
                new ByteArraySerializer())) {
            for (Map.Entry<String, Path> camera : Map.of("lobby", SharedData.path(Assets.VTEST),
                    "road", SharedData.path(Assets.CAR_TRAFFIC)).entrySet()) {
                try (VideoSource video = VideoSource.open(camera.getValue().toString(),
                        PixelFormat.PIXEL_FORMAT_I420)) {
                    sent += new FrameIngestor(config, producer).ingest(video, new FrameIngestor.Options(
                            camera.getValue().toString(), camera.getKey(), PixelFormat.PIXEL_FORMAT_I420, false, 8, 0),
                            n -> { });
                }
            }
        }
        try (SegstreamProcessor processor = SegstreamProcessor.start(config, kafka, modelDir, AssetResolver.defaultCacheDir(), "examples")) {
            MaskTally tally = MaskTally.collect(kafka.consumer(), config.masksTopic(), sent, Duration.ofMinutes(5));
            assertEquals(sent, tally.masks());
        }
        TopicReader.readAll(kafka.consumer(), config.masksTopic(), record -> {
            try {
                Mask mask = Mask.parseFrom(record.value());
                MASKS.put(record.key() + "-" + Long.toUnsignedString(mask.getSequence()), mask);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(sent, MASKS.size());
        assertTrue(MASKS.values().stream().allMatch(m -> m.getCocoRleCount() > 0), "COCO RLE written");
        assertTrue(MASKS.values().stream().filter(m -> m.getCameraId().equals("lobby")).allMatch(m -> m.getWidth() == 320
                && m.getHeight() == 240 && m.getSourceWidth() == 480 && m.getSourceHeight() == 360),
                "lobby's masks at the working size, smaller than their frames");
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void thePythonClientDecodesEveryMaskAsTheJvmDoes(@TempDir Path dir) throws Exception {
        String python = System.getenv().getOrDefault("SEGSTREAM_PYTHON", "/usr/bin/python3");
        requireTool("python3 with confluent_kafka, protobuf and numpy", "apt-get install python3-confluent-kafka "
                + "python3-protobuf python3-numpy python3-pil", python, "-c", "import confluent_kafka, google.protobuf, numpy");
        requireTool("protoc", "apt-get install protobuf-compiler", "protoc", "--version");
        Path gen = Files.createDirectories(dir.resolve("gen"));
        run(dir.resolve("protoc.log"), "protoc", "-I", PROTO.toString(), "--python_out=" + gen,
                "segstream/v1/frame.proto", "segstream/v1/mask.proto");
        List<JsonNode> lines = run(dir.resolve("python.log"), python, EXAMPLES.resolve("python/segstream_masks.py")
                .toString(), "-b", broker.bootstrapServers(), "--topic", config.masksTopic(), "--proto-dir",
                gen.toString(), "--max-masks", String.valueOf(MASKS.size()), "--idle-timeout", "60",
                "--dump", dir.resolve("labels").toString(), "--png-dir", dir.resolve("png").toString());
        checkClient("python", lines, dir.resolve("labels"));
        assertEquals(MASKS.size(), Files.list(dir.resolve("png")).count(), "a PNG per mask");
    }

    @Test
    void theNodeClientDecodesEveryMaskAsTheJvmDoes(@TempDir Path dir) throws Exception {
        requireTool("node", "apt-get install nodejs npm", "node", "--version");
        if (!Files.isDirectory(EXAMPLES.resolve("js/node_modules/kafkajs"))) {
            skip("examples/js has no node_modules (run: npm ci --prefix examples/js)");
        }
        List<JsonNode> lines = run(dir.resolve("node.log"), "node", EXAMPLES.resolve("js/segstream-masks.mjs")
                .toString(), "-b", broker.bootstrapServers(), "--topic", config.masksTopic(), "--proto-dir",
                PROTO.toString(), "--max-masks", String.valueOf(MASKS.size()), "--idle-timeout", "60",
                "--dump", dir.resolve("labels").toString());
        checkClient("node", lines, dir.resolve("labels"));
    }

    @Test
    void kcatReadsTheSameCommittedRecords(@TempDir Path dir) throws Exception {
        requireTool("kcat", "apt-get install kcat", "kcat", "-V");
        Path out = dir.resolve("kcat.log");
        Process p = new ProcessBuilder("kcat", "-b", broker.bootstrapServers(), "-C", "-t", config.masksTopic(),
                "-o", "beginning", "-e", "-q", "-X", "isolation.level=read_committed", "-f", "%k %S\\n")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "kcat ended");
        List<String> records = Files.readAllLines(out);
        assertEquals(0, p.exitValue(), String.join("\n", records));
        assertEquals(MASKS.size(), records.size(), String.join("\n", records));
        long lobby = records.stream().filter(r -> r.startsWith("lobby ")).count();
        assertEquals(MASKS.keySet().stream().filter(k -> k.startsWith("lobby-")).count(), lobby);
        assertTrue(records.stream().allMatch(r -> Long.parseLong(r.split(" ")[1]) > 0), "every record has a value");
    }

    /** Every mask once, its labels equal to the JVM's, its areas as the Mask says, its COCO RLE as its labels. */
    private static void checkClient(String client, List<JsonNode> lines, Path labels) throws IOException {
        assertEquals(MASKS.size(), lines.size(), client + " printed a line per mask");
        for (JsonNode line : lines) {
            String key = line.get("camera").asText() + "-" + line.get("sequence").asText();
            Mask mask = MASKS.get(key);
            assertTrue(mask != null, client + " read a mask the JVM did not: " + key);
            byte[] expected = LabelRle.decode(mask.getData().toByteArray(), mask.getWidth(), mask.getHeight());
            assertArrayEquals(expected, Files.readAllBytes(labels.resolve(key + ".labels")), client + " labels of " + key);
            Map<String, Long> areas = new LinkedHashMap<>();
            for (ClassArea a : mask.getClassAreasList()) {
                areas.put(String.valueOf(a.getClassIndex()), a.getPixels());
            }
            Map<String, Long> theirs = new LinkedHashMap<>();
            line.get("areas").fields().forEachRemaining(e -> theirs.put(e.getKey(), e.getValue().asLong()));
            assertEquals(areas, theirs, client + " class areas of " + key);
            assertTrue(line.get("areas_match").asBoolean(), client + " found the areas as stated: " + line);
            assertEquals(mask.getCocoRleCount(), line.get("coco_classes").asInt(), key);
            assertEquals(0, line.get("coco_mismatched_pixels").asLong(), client + " COCO RLE of " + key);
            assertEquals(mask.getWidth(), line.get("width").asInt(), client + " label map width of " + key);
            assertEquals(mask.getSourceWidth(), line.get("source_width").asInt(), client + " frame width of " + key);
            assertEquals(mask.getSourceHeight(), line.get("source_height").asInt(), client + " frame height of " + key);
        }
        assertTrue(lines.stream().anyMatch(l -> l.get("classes").has("person")), "person among lobby's classes");
    }

    private static List<JsonNode> run(Path log, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectOutput(log.toFile())
                .redirectError(log.resolveSibling(log.getFileName() + ".err").toFile()).start();
        boolean ended = p.waitFor(3, TimeUnit.MINUTES);
        String err = Files.readString(log.resolveSibling(log.getFileName() + ".err"), StandardCharsets.UTF_8);
        if (!ended) {
            p.destroyForcibly();
        }
        assertTrue(ended && p.exitValue() == 0, String.join(" ", command) + " failed:\n" + err + "\n"
                + Files.readString(log));
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    /** Skips the test, with one line, when {@code command} cannot run here. */
    private static void requireTool(String what, String install, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
        } catch (IOException e) {
            // not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        skip("no " + what + " on this machine (" + install + ")");
    }

    private static void skip(String why) {
        System.out.println("skipped: " + why);
        Assumptions.abort(why);
    }
}
