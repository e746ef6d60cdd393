package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.SharedData;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.MaskPng;
import io.segstream.eval.ConfusionMatrix;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import io.segstream.model.ModelCard;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.Segmenter;
import io.segstream.segmentation.SegmenterOptions;
import io.segstream.segmentation.SegmentationPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code segstream eval} as a user runs it, against scores computed here from the same path's labels. */
class EvalCommandTest {
    @TempDir
    static Path work;
    static Path model;
    static ModelCard card;

    @BeforeAll
    static void prepare() throws Exception {
        model = SharedData.importModel(work.resolve("model"));
        card = ModelCard.read(model.resolve("model.json"));
    }

    @Test
    void vocLayoutScoresOneMatrixOverAllPixels() throws Exception {
        Path images = Files.createDirectories(work.resolve("voc/JPEGImages"));
        Path masks = Files.createDirectories(work.resolve("voc/SegmentationClass"));
        List<String> ids = List.of("2007_000032", "2007_000039", "2007_000063");
        for (String id : ids) {
            Files.copy(SharedData.dir().resolve("voc-sample/JPEGImages/" + id + ".jpg"), images.resolve(id + ".jpg"));
            Files.copy(SharedData.dir().resolve("voc-sample/SegmentationClass/" + id + ".png"),
                    masks.resolve(id + ".png"));
        }
        CliRun r = CliRun.of("eval", "--model", model.toString(), "--images", images.toString(), "--masks",
                masks.toString(), "--fit", "squash", "--threads", "2", "--crf", "off", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("voc", json.get("layout").asText());
        assertEquals(3, json.get("images").asInt());
        ConfusionMatrix expected = new ConfusionMatrix(21);
        try (Segmenter s = Segmenter.open(SegmenterOptions.forModel(model).withEngine(EngineChoice.CPU).withThreads(2)
                .withFit(Fit.of(FitMode.SQUASH)).withMaxBatch(4))) {
            for (String id : ids) {
                byte[] labels = s.path().segment(SegmentationPath.Input.still(ImageFiles.read(images.resolve(id
                        + ".jpg"))), CameraStates.NONE).labels();
                expected.add(MaskPng.decode(Files.readAllBytes(masks.resolve(id + ".png"))).labels(), labels, 255);
            }
        }
        assertEquals(expected.meanIou(), json.get("mean_iou").asDouble(), 1e-9);
        assertEquals(expected.pixelAccuracy(), json.get("pixel_accuracy").asDouble(), 1e-9);
        assertEquals(expected.iou(15), json.get("iou").get("person").asDouble(), 1e-9);
        assertTrue(json.get("frames_per_second").asDouble() > 0);
    }

    @Test
    void davisLayoutScoresForegroundIouPerSequenceWithTheCrfWarmStarted() throws Exception {
        Path images = Files.createDirectories(work.resolve("davis/JPEGImages/lucia"));
        Path masks = Files.createDirectories(work.resolve("davis/Annotations/lucia"));
        for (int i = 0; i < 3; i++) {
            String f = String.format("%05d", i);
            Files.copy(SharedData.dir().resolve("davis2016-sample/JPEGImages/480p/lucia/" + f + ".jpg"),
                    images.resolve(f + ".jpg"));
            Files.copy(SharedData.dir().resolve("davis2016-sample/Annotations/480p/lucia/" + f + ".png"),
                    masks.resolve(f + ".png"));
        }
        CliRun r = CliRun.of("eval", "--model", model.toString(), "--images", work.resolve("davis/JPEGImages")
                .toString(), "--masks", work.resolve("davis/Annotations").toString(), "--class", "person", "--fit",
                "squash", "--crf", "on", "--threads", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("davis", json.get("layout").asText());
        assertEquals("person", json.get("class").asText());
        assertEquals(3, json.get("sequences").get("lucia").get("frames").asInt());
        double iou = json.get("foreground_iou").asDouble();
        // The same three frames through the same path as one camera, scored here by hand.
        io.segstream.config.SegstreamConfig config = new io.segstream.config.SegstreamConfig(java.util.Map.of("crf", "on"));
        long inter = 0;
        long union = 0;
        CameraStates states = CameraStates.inMemory();
        try (Segmenter s = Segmenter.open(SegmenterOptions.forModel(model).withEngine(EngineChoice.CPU).withThreads(2)
                .withFit(Fit.of(FitMode.SQUASH)).withMaxBatch(8).withCrf(config::crfSetup)
                // eval's working size: the CRF at most 640 wide, labels scored at the image's size
                .withWorking(new io.segstream.segmentation.WorkingSize(config.workingMaxSide(), true)))) {
            for (int i = 0; i < 3; i++) {
                String f = String.format("%05d", i);
                byte[] labels = s.path().segment(new SegmentationPath.Input("lucia", i,
                        ImageFiles.read(images.resolve(f + ".jpg"))), states).labels();
                byte[] truth = MaskPng.decode(Files.readAllBytes(masks.resolve(f + ".png"))).labels();
                for (int p = 0; p < labels.length; p++) {
                    boolean t = truth[p] != 0;
                    boolean q = labels[p] == 15;
                    inter += t && q ? 1 : 0;
                    union += t || q ? 1 : 0;
                }
            }
        }
        assertEquals((double) inter / union, iou, 1e-9);
        assertEquals(2.0 / 3, json.get("crf_warm_share").asDouble(), 1e-9, "frames 2 and 3 start warm");
        CliRun unknown = CliRun.of("eval", "--model", model.toString(), "--images", work.resolve("davis/JPEGImages")
                .toString(), "--masks", work.resolve("davis/Annotations").toString(), "--class", "pedestrian");
        assertEquals(ExitCodes.ERROR, unknown.code());
        assertTrue(unknown.err().contains("--class pedestrian is not a class"), unknown.err());
    }
}
