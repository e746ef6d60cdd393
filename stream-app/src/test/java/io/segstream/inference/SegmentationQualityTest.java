package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.assets.Assets;
import io.segstream.codec.ImageFiles;
import io.segstream.codec.LabelMap;
import io.segstream.codec.MaskPng;
import io.segstream.codec.RgbImage;
import io.segstream.eval.ConfusionMatrix;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mask quality of the imported DeepLab through DJL against ground truth in ../shared/data. */
class SegmentationQualityTest {
    static final int PERSON = 15;
    static final int CAR = 7;

    @TempDir
    static Path modelDir;
    static ModelCard card;
    static InferenceEngine engine;

    @BeforeAll
    static void loadModel() throws Exception {
        card = ModelImporter.importModel(SharedData.path(Assets.DEEPLAB_ONNX), modelDir, ModelImporter.Options.none());
        engine = Engines.open(EngineKind.ONNXRUNTIME, modelDir.resolve("model.onnx"), new long[] {257, 257, 3}, 2, 1);
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void goldenImageMatchesTensorFlowRegionByRegion() throws Exception {
        Segmentation result = new Segmenter(engine, card, FitMode.TILE, 4)
                .segment(ImageFiles.read(SharedData.path(Assets.GOLDEN_IMAGE)));
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
        Path images = SharedData.dir().resolve("voc-sample/JPEGImages");
        List<Path> files;
        try (Stream<Path> list = Files.list(images)) {
            files = list.sorted().toList();
        }
        assertEquals(46, files.size());
        double squash = Double.NaN;
        for (FitMode fit : FitMode.values()) {
            ConfusionMatrix matrix = new ConfusionMatrix(21);
            Segmenter segmenter = new Segmenter(engine, card, fit, 4);
            for (Path file : files) {
                String id = file.getFileName().toString().replace(".jpg", "");
                LabelMap truth = MaskPng.decode(Files.readAllBytes(
                        SharedData.dir().resolve("voc-sample/SegmentationClass/" + id + ".png")));
                matrix.add(truth.labels(), segmenter.segment(ImageFiles.read(file)).labels(), 255);
            }
            System.out.printf("VOC sample (46 images), fit %s: pixel accuracy %.3f, mIoU %.3f, person IoU %.3f%n",
                    fit, matrix.pixelAccuracy(), matrix.meanIou(), matrix.iou(PERSON));
            if (fit == FitMode.SQUASH) {
                squash = matrix.meanIou();
            }
            if (fit == FitMode.TILE) {
                assertTrue(matrix.meanIou() >= 0.60, "default (tile) mIoU " + matrix.meanIou());
            }
        }
        assertTrue(squash >= 0.48, "squash mIoU " + squash);
    }

    @Test
    void davisForegroundIouPerFitMode() throws Exception {
        double[] lucia = davis("lucia", PERSON);
        double[] car = davis("car-shadow", CAR);
        // Measured directly with ONNX Runtime (shared/data/README.md): lucia 0.239 squash, 0.502 letterbox.
        assertTrue(lucia[1] >= 0.45, "lucia letterbox person IoU " + lucia[1]);
        assertTrue(lucia[2] >= 0.75, "lucia tiled person IoU " + lucia[2]);
        assertTrue(car[0] >= 0.6, "car-shadow squash car IoU " + car[0]);
    }

    /** Foreground IoU of {@code cls} over a DAVIS sequence for squash, letterbox and tile. */
    private static double[] davis(String sequence, int cls) throws Exception {
        Path frames = SharedData.dir().resolve("davis2016-sample/JPEGImages/480p/" + sequence);
        List<Path> files;
        try (Stream<Path> list = Files.list(frames)) {
            files = list.sorted().toList();
        }
        FitMode[] fits = FitMode.values();
        double[] iou = new double[fits.length];
        for (int f = 0; f < fits.length; f++) {
            Segmenter segmenter = new Segmenter(engine, card, fits[f], 8);
            long inter = 0;
            long union = 0;
            for (Path file : files) {
                LabelMap truth = MaskPng.decode(Files.readAllBytes(SharedData.dir().resolve(
                        "davis2016-sample/Annotations/480p/" + sequence + "/"
                                + file.getFileName().toString().replace(".jpg", ".png"))));
                RgbImage image = ImageFiles.read(file);
                byte[] labels = segmenter.segment(image).labels();
                for (int i = 0; i < labels.length; i++) {
                    boolean t = truth.labels()[i] != 0;
                    boolean p = (labels[i] & 0xFF) == cls;
                    inter += t && p ? 1 : 0;
                    union += t || p ? 1 : 0;
                }
            }
            iou[f] = (double) inter / union;
            System.out.printf("DAVIS %s (%d frames), fit %s: %s IoU %.3f%n", sequence, files.size(), fits[f],
                    card.classes().get(cls), iou[f]);
        }
        return iou;
    }

    @Test
    void tilingFindsTheSmallPedestriansOfVtest() {
        List<RgbImage> frames = SharedData.frames(SharedData.path(Assets.VTEST), 20, 10, 70);
        int[] withPerson = new int[2];
        FitMode[] fits = {FitMode.SQUASH, FitMode.TILE};
        for (int f = 0; f < fits.length; f++) {
            Segmenter segmenter = new Segmenter(engine, card, fits[f], 8);
            for (Segmentation s : segmenter.segment(frames)) {
                withPerson[f] += s.classPixels()[PERSON] > 50 ? 1 : 0;
            }
            System.out.printf("vtest 480x360, fit %s: person in %d of %d frames%n", fits[f], withPerson[f], frames.size());
        }
        assertTrue(withPerson[1] >= 8, "tiled frames with people: " + withPerson[1]);
        assertTrue(withPerson[1] > withPerson[0], "tiling finds more than squash");
    }
}
