package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.codec.LabelMap;
import io.segstream.codec.MaskPng;
import io.segstream.codec.VideoSource;
import io.segstream.schemas.v1.PixelFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segstream command as a user runs it (in-process, same code path as java -jar). */
class CommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void invalidSettingsStopRunAtStartWithAMessageNamingThem() {
        String[][] cases = {
            {"batch.max.size", "--batch-max-size", "0"},
            {"crf.theta.alpha", "-X", "crf.theta.alpha=-1"},
            {"num.stream.threads", "-X", "num.stream.threads=many"},
            {"processing.guarantee", "-X", "processing.guarantee=twice"},
            {"fit", "--fit", "stretch"},
        };
        for (String[] c : cases) {
            CliRun r = CliRun.of("run", "-b", "127.0.0.1:1", c[1], c[2]);
            assertEquals(1, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(c[0]), "message should name " + c[0] + ": " + r.err());
            assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
        }
    }

    @Test
    void ingestRefusesARateOrSizeLimitItCannotHonourBeforeReachingKafka() {
        String[][] cases = {
            {"--fps", "--fps", "0"},
            {"--fps", "--fps", "-5"},
            {"--max-side", "--max-side", "8"},
        };
        for (String[] c : cases) {
            CliRun r = CliRun.of("ingest", "-b", "127.0.0.1:1", "--data-dir", SharedData.dir().toString(), "--source",
                    "sample:vtest", "--camera", "lobby", c[1], c[2]);
            assertEquals(1, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains(c[0]), "message should name " + c[0] + ": " + r.err());
            assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
        }
    }

    @Test
    void printConfigShowsTheSettingsInForceWithSecretsHidden() throws Exception {
        Path file = tmp.resolve("client.properties");
        java.nio.file.Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"proc\" password=\"MARKER-jaas-7731\";\nssl.truststore.password=MARKER-trust-7731\n"
                + "producer.ssl.key.password=MARKER-key-7731\n");
        CliRun r = CliRun.of("run", "-b", "kafka-1:9093", "--config", file.toString(), "--print-config",
                "-X", "crf.iterations=3", "-X", "view.port=9000");
        assertEquals(0, r.code(), r.err());
        String all = r.out() + r.err();
        assertFalse(all.contains("MARKER"), all);
        for (String line : List.of("sasl.jaas.config=[hidden]", "ssl.truststore.password=[hidden]",
                "producer.ssl.key.password=[hidden]", "security.protocol=SASL_SSL", "bootstrap.servers=kafka-1:9093",
                "crf.iterations=3", "view.port=9000", "metrics.bind=127.0.0.1", "application.id=segstream")) {
            assertTrue(r.out().lines().anyMatch(line::equals), line + " in:\n" + r.out());
        }
    }

    @Test
    void helpListsTheVerbs() {
        CliRun help = CliRun.of("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("segment") && help.out().contains("model"), help.out());
    }

    @Test
    void segmentsTheGoldenImageIntoAClassIndexPngAndAnOverlay() throws Exception {
        Path labels = tmp.resolve("labels.png");
        Path overlay = tmp.resolve("overlay.png");
        CliRun r = CliRun.of("segment", "--data-dir", SharedData.dir().toString(), "--input", "sample:golden",
                "--out", labels.toString(), "--overlay", overlay.toString());
        assertEquals(0, r.code(), r.err());
        LabelMap map = MaskPng.decode(Files.readAllBytes(labels));
        assertEquals(257, map.width());
        long person = 0;
        for (byte b : map.labels()) {
            person += b == 15 ? 1 : 0;
        }
        assertTrue(person > 15000, "person pixels " + person);
        assertTrue(Files.size(overlay) > 10000);
        assertTrue(r.out().contains("person") && r.out().contains("horse"), r.out());
    }

    @Test
    void segmentsAVideoIntoAnOverlayVideo() {
        Path video = tmp.resolve("out.mp4");
        CliRun r = CliRun.of("segment", "--data-dir", SharedData.dir().toString(), "--input", "sample:car-traffic",
                "--out", video.toString(), "--max-frames", "6", "--fit", "squash");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("6 frames"), r.out());
        try (VideoSource written = VideoSource.open(video.toString(), PixelFormat.PIXEL_FORMAT_RGB24)) {
            int frames = 0;
            while (written.next() != null) {
                frames++;
            }
            assertEquals(6, frames);
            assertEquals(640, written.width());
        }
    }

    @Test
    void segmentsSeveralInputsAndAFolderInOneRunWithTheCrfWarmStartedAlongTheVideo() throws Exception {
        Path photos = Files.createDirectories(tmp.resolve("photos"));
        for (String id : List.of("2007_000032", "2007_000039")) {
            Files.copy(SharedData.dir().resolve("voc-sample/JPEGImages/" + id + ".jpg"), photos.resolve(id + ".jpg"));
        }
        Path out = tmp.resolve("many");
        Path overlays = tmp.resolve("many-overlays");
        CliRun r = CliRun.of("segment", "--data-dir", SharedData.dir().toString(), "--input", photos.toString(),
                "--input", "sample:golden", "--input", "sample:vtest", "--max-frames", "4", "--out", out.toString(),
                "--overlay", overlays.toString(), "--fit", "squash", "--crf", "on", "-X", "crf.iterations=3");
        assertEquals(0, r.code(), r.err());
        for (String name : List.of("2007_000032.png", "2007_000039.png", "segmentation_input_rotation0.png")) {
            assertTrue(Files.size(out.resolve(name)) > 100, name);
            assertTrue(Files.size(overlays.resolve(name)) > 1000, name);
        }
        assertTrue(Files.size(out.resolve("vtest.mp4")) > 1000);
        assertTrue(r.out().contains("3 images in"), r.out());
        assertTrue(r.out().contains("vtest.avi: 4 frames") && r.out().contains("75% warm-started"), r.out());
        assertTrue(r.out().matches("(?s).*warm-started, \\d+\\.\\d\\d% of pixels changed.*"), r.out());
        // The default model's card carries its tuned kernels; the -X setting still caps the iterations.
        assertTrue(r.err().contains("CRF on (w1 3.0, theta_alpha 20.0, theta_beta 13.0, w2 2.0, theta_gamma 1.0")
                && r.err().contains("at most 3 iterations"), r.err());
    }

    @Test
    void tensorRtWhereAbsentFailsWithAMessageNotAStackTrace() {
        CliRun r = CliRun.of("segment", "--data-dir", SharedData.dir().toString(), "--input", "sample:golden",
                "--out", tmp.resolve("x.png").toString(), "--engine", "tensorrt");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--engine tensorrt cannot run here"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void aModelThatIsNotAModelIsAClearError() throws Exception {
        Path bogus = tmp.resolve("bogus");
        Files.createDirectories(bogus);
        CliRun r = CliRun.of("segment", "--model", bogus.toString(), "--input", "sample:golden", "--data-dir",
                SharedData.dir().toString(), "--out", tmp.resolve("x.png").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("without model.onnx and model.json"), r.err());
        Path text = tmp.resolve("notes.onnx");
        Files.writeString(text, "not a model");
        CliRun imp = CliRun.of("model", "import", text.toString(), "--out", tmp.resolve("m").toString());
        assertEquals(1, imp.code());
        assertTrue(imp.err().contains("is neither an ONNX model nor a TFLite model"), imp.err());
    }

    @Test
    void modelImportChecksAgainstTheOriginalAndTflite() {
        CliRun r = CliRun.of("model", "import", "deeplabv3-mnv2-voc", "--out", tmp.resolve("model").toString(),
                "--data-dir", SharedData.dir().toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("with the TFLite twin") && r.out().contains("check passed"), r.out());
    }
}
