package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.broker.EmbeddedKafka;
import io.segstream.broker.TopicReader;
import io.segstream.config.ConfigLoader;
import io.segstream.config.KafkaSettings;
import io.segstream.data.AssetResolver;
import io.segstream.metrics.MaskTally;
import io.segstream.schemas.v1.Frame;
import io.segstream.topology.SegstreamProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka verbs as a user runs them: demo in one command; ingest, then export, against a broker. */
@Tag("integration")
class KafkaCommandsTest {
    @TempDir
    Path tmp;

    @Test
    void demoRunsEverythingInOneCommandAndSummarises() throws Exception {
        Path out = tmp.resolve("demo");
        CliRun r = CliRun.of("demo", "--data-dir", SharedData.dir().toString(), "--frames", "12", "--fit", "squash",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("frames in:     12"), r.out());
        assertTrue(r.out().contains("masks out:     12 (12 segmented, 0 skipped)"), r.out());
        assertTrue(r.out().contains("dead-lettered: 0"), r.out());
        assertTrue(r.out().contains("vtest-1:       12 masks, in order"), r.out());
        assertTrue(Files.size(out.resolve("vtest-1.mp4")) > 1000, "overlay video written");
        assertTrue(r.out().contains("(12 frames, 12 with a mask, 0 of them the camera's latest earlier one)"), r.out());
    }

    @Test
    void ingestDecimatesAndScalesAtTheSourceKeepingTheSourcesSequenceNumbers() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            CliRun ingest = CliRun.of("ingest", "-b", broker.bootstrapServers(), "--data-dir", SharedData.dir().toString(),
                    "--source", "sample:car-traffic", "--camera", "road", "--max-frames", "4", "--fps", "5",
                    "--max-side", "320");
            assertEquals(0, ingest.code(), ingest.err());
            assertTrue(ingest.err().contains("640x360 scaled to 320x180") && ingest.err().contains("sending 5 frames/s"),
                    ingest.err());
            assertTrue(ingest.out().contains("ingested 4 frames of camera 'road'")
                    && ingest.out().contains("MB per camera-second to Kafka"), ingest.out());
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), Map.of(
                    "bootstrap.servers", broker.bootstrapServers()));
            KafkaSettings kafka = new KafkaSettings(loaded.segstream(), loaded.kafka());
            List<Frame> frames = new ArrayList<>();
            TopicReader.readAll(kafka.consumer(), loaded.segstream().framesTopic(), r -> {
                try {
                    frames.add(Frame.parseFrom(r.value()));
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(4, frames.size());
            long step = Math.round(frames.get(0).getFrameRate() / 5);
            for (int i = 0; i < frames.size(); i++) {
                Frame f = frames.get(i);
                assertEquals("320x180", f.getWidth() + "x" + f.getHeight());
                assertEquals(320 * 180 * 3 / 2, f.getData().size());
                assertEquals(i * step, f.getSequence(), "sequence numbers count the source's frames: "
                        + f.getFrameRate() + " frames/s sent at 5");
            }
        }
    }

    /** A 5-frame clip replayed as a camera that goes on: 12 frames, sequence numbers and times unbroken. */
    @Test
    void ingestLoopReplaysAFileWithSequenceNumbersAndTimesGoingOn() throws Exception {
        Path clip = tmp.resolve("five.mp4");
        try (io.segstream.codec.VideoSink sink = io.segstream.codec.VideoSink.open(clip.toString(), 64, 48, 10)) {
            for (int i = 0; i < 5; i++) {
                io.segstream.codec.RgbImage image = new io.segstream.codec.RgbImage(64, 48);
                java.util.Arrays.fill(image.data(), (byte) (40 * i));
                sink.write(image);
            }
        }
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            CliRun once = CliRun.of("ingest", "-b", broker.bootstrapServers(), "--source", clip.toString(),
                    "--camera", "once", "--max-frames", "12");
            assertEquals(0, once.code(), once.err());
            assertTrue(once.out().contains("ingested 5 frames of camera 'once'"), "without --loop a file ends: "
                    + once.out());
            CliRun looped = CliRun.of("ingest", "-b", broker.bootstrapServers(), "--source", clip.toString(),
                    "--camera", "looped", "--max-frames", "12", "--loop");
            assertEquals(0, looped.code(), looped.err());
            assertTrue(looped.out().contains("ingested 12 frames of camera 'looped'"), looped.out());
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), Map.of(
                    "bootstrap.servers", broker.bootstrapServers()));
            KafkaSettings kafka = new KafkaSettings(loaded.segstream(), loaded.kafka());
            List<Frame> frames = new ArrayList<>();
            TopicReader.readAll(kafka.consumer(), loaded.segstream().framesTopic(), r -> {
                try {
                    Frame f = Frame.parseFrom(r.value());
                    if (f.getCameraId().equals("looped")) {
                        frames.add(f);
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(12, frames.size());
            for (int i = 0; i < frames.size(); i++) {
                Frame f = frames.get(i);
                assertEquals(i, f.getSequence());
                assertEquals(frames.get(0).getPtsUs() + i * 100_000L, f.getPtsUs(), 2_000,
                        "presentation times go on at the clip's 10 frames/s across the seams, frame " + i);
                assertEquals(frames.get(i % 5).getData(), f.getData(), "the clip's frame " + (i % 5) + " again");
            }
        }
    }

    @Test
    void ingestThenExportWritesOneOverlaidPngPerFrame() throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(32 * 1024 * 1024)) {
            CliRun ingest = CliRun.of("ingest", "-b", broker.bootstrapServers(), "--data-dir", SharedData.dir().toString(),
                    "--source", "sample:car-traffic", "--camera", "road", "--max-frames", "8");
            assertEquals(0, ingest.code(), ingest.err());
            assertTrue(ingest.out().contains("ingested 8 frames of camera 'road'"), ingest.out());

            CliRun tooBig = CliRun.of("ingest", "-b", broker.bootstrapServers(), "--data-dir", SharedData.dir().toString(),
                    "--source", "sample:car-traffic", "--camera", "road", "--max-frames", "2",
                    "-X", "frames.topic=small-frames", "-X", "max.frame.bytes=100000");
            assertEquals(1, tooBig.code());
            assertTrue(tooBig.err().contains("345600 bytes (640x360 I420), over max.frame.bytes=100000"), tooBig.err());

            Path modelDir = SharedData.importModel(tmp.resolve("model"));
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, Map.of(), Map.of(
                    "bootstrap.servers", broker.bootstrapServers(), "fit", "squash"));
            KafkaSettings kafka = new KafkaSettings(loaded.segstream(), loaded.kafka());
            try (SegstreamProcessor processor = SegstreamProcessor.start(loaded.segstream(), kafka, modelDir, AssetResolver.defaultCacheDir(),
                    "commands")) {
                // Close only once the group is stable: closing mid-rebalance waits for the rebalance to end.
                processor.awaitRunning(Duration.ofMinutes(1));
                MaskTally.collect(kafka.consumer(), loaded.segstream().masksTopic(), 8, Duration.ofMinutes(2));
            }

            Path pngs = tmp.resolve("pngs");
            CliRun export = CliRun.of("export", "-b", broker.bootstrapServers(), "--camera", "road", "--out", pngs.toString());
            assertEquals(0, export.code(), export.err());
            assertTrue(export.out().contains("exported 8 frames of camera 'road'"), export.out());
            assertTrue(export.out().contains("(8 with a mask, 0 without)"), export.out());
            try (Stream<Path> files = Files.list(pngs)) {
                assertEquals(8, files.filter(f -> f.toString().endsWith(".png")).count());
            }

            CliRun missing = CliRun.of("export", "-b", broker.bootstrapServers(), "--camera", "nobody", "--out",
                    tmp.resolve("none").toString());
            assertEquals(1, missing.code());
            assertTrue(missing.err().contains("no frames of camera 'nobody'"), missing.err());
        }
    }
}
