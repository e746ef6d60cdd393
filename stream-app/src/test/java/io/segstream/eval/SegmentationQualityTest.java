package io.segstream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.LabelMap;
import io.segstream.codec.MaskPng;
import io.segstream.codec.RgbImage;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.FrameResult;
import io.segstream.segmentation.Segmenter;
import io.segstream.segmentation.SegmenterOptions;
import io.segstream.segmentation.SegmentationPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mask quality of the half-width ONNX DeepLab on the product's segmentation path against ground
 * truth in the shared data, per fit mode, scored the way {@code segstream eval} scores
 * ({@link Evaluation}).
 */
@Tag("integration")
class SegmentationQualityTest {
    static final int PERSON = 15;
    static final int CAR = 7;

    @TempDir
    static Path modelDir;
    static ModelCard card;

    @BeforeAll
    static void importModel() throws Exception {
        card = ModelImporter.importModel(SharedData.path(Assets.DEEPLAB_ONNX), modelDir, ModelImporter.Options.none());
    }

    static Segmenter segmenter(FitMode fit, int batch) {
        return Segmenter.open(SegmenterOptions.forModel(modelDir).withEngine(EngineChoice.CPU).withThreads(2)
                .withFit(Fit.of(fit)).withMaxBatch(batch));
    }

    @Test
    void goldenImageMatchesTensorFlowRegionByRegion() throws Exception {
        FrameResult result;
        try (Segmenter s = segmenter(FitMode.TILE, 4)) {
            result = s.path().segment(SegmentationPath.Input.still(ImageFiles.read(SharedData.path(Assets.GOLDEN_IMAGE))),
                    CameraStates.NONE);
        }
        LabelMap golden = MaskPng.decode(Files.readAllBytes(SharedData.dir().resolve(
                "golden/segmentation_golden_rotation0.png")));
        // The golden PNG stores class x 10 as its grey level: 0 background, 130 horse, 150 person.
        for (int cls : new int[] {0, 13, 15}) {
            int region = 0;
            int agree = 0;
            for (int i = 0; i < golden.labels().length; i++) {
                if ((golden.labels()[i] & 0xFF) == cls * 10) {
                    region++;
                    agree += (result.labels()[i] & 0xFF) == cls ? 1 : 0;
                }
            }
            double share = (double) agree / region;
            System.out.printf("golden region %s: %d pixels, agreement %.4f%n", card.classes().get(cls), region, share);
            assertTrue(region > 10000, "region " + cls + " has " + region + " pixels");
            assertTrue(share >= 0.95, "golden region " + card.classes().get(cls) + " agreement " + share);
        }
    }

    @Test
    void vocSampleMeanIouPerFitMode() throws Exception {
        LabelledSet voc = LabelledSet.load(SharedData.dir().resolve("voc-sample/JPEGImages"),
                SharedData.dir().resolve("voc-sample/SegmentationClass"), null);
        assertEquals(LabelledSet.Layout.VOC, voc.layout());
        assertEquals(46, voc.size());
        double squash = Double.NaN;
        for (FitMode fit : List.of(FitMode.SQUASH, FitMode.LETTERBOX, FitMode.TILE)) {
            Evaluation.Result r;
            try (Segmenter s = segmenter(fit, 4)) {
                r = Evaluation.run(s.path(), voc, card.classCount(), -1, n -> { });
            }
            System.out.printf("VOC sample (46 images), fit %s: pixel accuracy %.3f, mIoU %.3f, person IoU %.3f%n",
                    fit, r.matrix().pixelAccuracy(), r.matrix().meanIou(), r.matrix().iou(PERSON));
            if (fit == FitMode.SQUASH) {
                squash = r.matrix().meanIou();
            }
            if (fit == FitMode.TILE) {
                assertTrue(r.matrix().meanIou() >= 0.60, "default (tile) mIoU " + r.matrix().meanIou());
            }
        }
        assertTrue(squash >= 0.48, "squash mIoU " + squash);
    }

    @Test
    void davisForegroundIouPerFitMode() throws Exception {
        Path images = SharedData.dir().resolve("davis2016-sample/JPEGImages/480p");
        Path masks = SharedData.dir().resolve("davis2016-sample/Annotations/480p");
        LabelledSet lucia = LabelledSet.load(images.resolve("lucia"), masks.resolve("lucia"), LabelledSet.Layout.DAVIS);
        LabelledSet car = LabelledSet.load(images.resolve("car-shadow"), masks.resolve("car-shadow"),
                LabelledSet.Layout.DAVIS);
        double[] luciaIou = new double[3];
        double[] carIou = new double[3];
        FitMode[] fits = {FitMode.SQUASH, FitMode.LETTERBOX, FitMode.TILE};
        for (int f = 0; f < fits.length; f++) {
            try (Segmenter s = segmenter(fits[f], 8)) {
                luciaIou[f] = Evaluation.run(s.path(), lucia, card.classCount(), PERSON, n -> { }).foregroundIou();
                carIou[f] = Evaluation.run(s.path(), car, card.classCount(), CAR, n -> { }).foregroundIou();
            }
            System.out.printf("DAVIS fit %s: lucia person IoU %.3f, car-shadow car IoU %.3f%n", fits[f], luciaIou[f],
                    carIou[f]);
        }
        // Measured directly with ONNX Runtime (shared/data/README.md): lucia 0.239 squash, 0.502 letterbox.
        assertTrue(luciaIou[1] >= 0.45, "lucia letterbox person IoU " + luciaIou[1]);
        assertTrue(luciaIou[2] >= 0.75, "lucia tiled person IoU " + luciaIou[2]);
        assertTrue(carIou[0] >= 0.6, "car-shadow squash car IoU " + carIou[0]);
    }

    @Test
    void tilingFindsTheSmallPedestriansOfVtest() throws Exception {
        List<RgbImage> frames = SharedData.frames(SharedData.path(Assets.VTEST), 20, 10, 70);
        int[] withPerson = new int[2];
        FitMode[] fits = {FitMode.SQUASH, FitMode.TILE};
        for (int f = 0; f < fits.length; f++) {
            try (Segmenter s = segmenter(fits[f], 8)) {
                List<SegmentationPath.Input> inputs = new ArrayList<>();
                for (RgbImage frame : frames) {
                    inputs.add(SegmentationPath.Input.still(frame));
                }
                for (FrameResult r : s.path().segment(inputs, CameraStates.NONE)) {
                    withPerson[f] += r.classPixels()[PERSON] > 50 ? 1 : 0;
                }
            }
            System.out.printf("vtest 480x360, fit %s: person in %d of %d frames%n", fits[f], withPerson[f],
                    frames.size());
        }
        assertTrue(withPerson[1] >= 8, "tiled frames with people: " + withPerson[1]);
        assertTrue(withPerson[1] > withPerson[0], "tiling finds more than squash");
    }
}
