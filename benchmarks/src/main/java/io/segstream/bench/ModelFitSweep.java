package io.segstream.bench;

import io.segstream.assets.Assets;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoFrames;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.eval.Evaluation;
import io.segstream.eval.LabelledSet;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelLocator;
import io.segstream.model.ModelZoo;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.FrameResult;
import io.segstream.segmentation.Segmenter;
import io.segstream.segmentation.SegmenterOptions;
import io.segstream.segmentation.SegmentationPath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every (model, fit) on the labelled data, through the product's path as {@code segstream eval}
 * runs it: voc-sample mIoU (46 images), DAVIS lucia person IoU and car-shadow car IoU, the vtest
 * pedestrians marked on frames 10, 100 and 190 (of the 18 people counted by eye on those frames;
 * a person is marked when at least 8 pixels, and 5% of their box, are labelled person), and ms per
 * frame on each set. With {@code crf} as a third argument the CRF runs too (its crf.* settings
 * from the environment, SEGSTREAM_CRF_*).
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.ModelFitSweep \
 *     MODEL[,MODEL...] FIT[,FIT...] [crf]      (FIT: squash, letterbox, tile, zoom or zoom:FACTOR)
 * </pre>
 */
public final class ModelFitSweep {
    private ModelFitSweep() {}

    /** The pedestrians on vtest frames 10, 100 and 190, boxes in frame pixels (x0, y0, x1, y1), counted by eye. */
    static final Map<Integer, int[][]> PEDESTRIANS = Map.of(
            10, new int[][] {{197, 129, 223, 184}, {290, 104, 315, 154}, {342, 147, 365, 204}, {467, 192, 480, 255}},
            100, new int[][] {{139, 37, 149, 60}, {217, 122, 239, 172}, {234, 110, 256, 161}, {267, 110, 282, 161},
                {307, 91, 325, 139}, {322, 95, 339, 139}, {369, 96, 387, 148}},
            190, new int[][] {{87, 97, 105, 140}, {167, 127, 196, 179}, {337, 84, 356, 132}, {341, 150, 375, 214},
                {404, 143, 432, 205}, {426, 61, 439, 97}, {441, 64, 452, 97}});

    public static void main(String[] args) throws Exception {
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        Path data = Path.of(System.getProperty("segstream.data.dir"));
        List<String> models = List.of(args[0].split(","));
        List<String> fits = List.of(args.length > 1 ? args[1].split(",") : new String[] {"squash", "tile"});
        boolean crf = args.length > 2 && args[2].equals("crf");
        LabelledSet voc = LabelledSet.load(data.resolve("voc-sample/JPEGImages"),
                data.resolve("voc-sample/SegmentationClass"), LabelledSet.Layout.VOC);
        Path davisImages = data.resolve("davis2016-sample/JPEGImages/480p");
        Path davisMasks = data.resolve("davis2016-sample/Annotations/480p");
        LabelledSet lucia = LabelledSet.load(davisImages.resolve("lucia"), davisMasks.resolve("lucia"),
                LabelledSet.Layout.DAVIS);
        LabelledSet car = LabelledSet.load(davisImages.resolve("car-shadow"), davisMasks.resolve("car-shadow"),
                LabelledSet.Layout.DAVIS);
        List<RgbImage> vtest = new ArrayList<>();
        for (int f : new int[] {10, 100, 190}) {
            vtest.add(VideoFrames.sample(assets.resolve(Assets.VTEST), f, 1, 1).get(0));
        }
        SegstreamConfig crfOn = new SegstreamConfig(Map.of(SegstreamConfig.CRF, "on"));
        System.out.println("| model | fit | VOC mIoU | lucia person IoU | car-shadow car IoU | vtest people marked (of 18) "
                + "| ms/frame VOC | ms/frame DAVIS | ms/frame vtest |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (String name : models) {
            ModelZoo.Named named = ModelZoo.lookup(name).orElseThrow(() -> new IllegalArgumentException(name));
            Path dir = ModelLocator.importedDir(named, assets);
            ModelCard card = ModelCard.read(dir.resolve(ModelImporter.CARD_FILE));
            int person = card.classes().indexOf("person");
            int rider = card.classes().indexOf("rider");
            int carClass = card.classes().indexOf("car");
            boolean vocClasses = card.classCount() == 21;
            // each model's own parameters under the crf.* settings
            SegmenterOptions.CrfSettings crfSettings = crf ? crfOn::crfSetup : SegmenterOptions.CrfSettings.OFF;
            for (String fitName : fits) {
                String[] parts = fitName.split(":"); // zoom:1.5 sets the zoom
                Fit fit = new Fit(FitMode.valueOf(parts[0].toUpperCase(Locale.ROOT)),
                        parts.length > 1 ? Double.parseDouble(parts[1]) : Fit.DEFAULT_ZOOM);
                try (Segmenter s = Segmenter.open(SegmenterOptions.forModel(dir).withEngine(EngineChoice.CPU)
                        .withThreads(2).withFit(fit).withMaxBatch(8).withCrf(crfSettings))) {
                    String vocCell = "n/a";
                    double vocMs = Double.NaN;
                    if (vocClasses) {
                        Evaluation.Result r = Evaluation.run(s.path(), voc, card.classCount(), -1, n -> { });
                        vocCell = String.format(Locale.ROOT, "%.5f", r.matrix().meanIou());
                        vocMs = 1000 * r.seconds() / r.frames();
                    }
                    Evaluation.Result l = Evaluation.run(s.path(), lucia, card.classCount(), person, n -> { });
                    Evaluation.Result c = Evaluation.run(s.path(), car, card.classCount(), carClass, n -> { });
                    double davisMs = 1000 * (l.seconds() + c.seconds()) / (l.frames() + c.frames());
                    int marked = 0;
                    long t0 = System.nanoTime();
                    int[] frames = {10, 100, 190};
                    for (int i = 0; i < frames.length; i++) {
                        FrameResult r = s.path().segment(SegmentationPath.Input.still(vtest.get(i)), CameraStates.NONE);
                        marked += marked(r, PEDESTRIANS.get(frames[i]), person, rider);
                    }
                    double vtestMs = (System.nanoTime() - t0) / 1e6 / frames.length;
                    System.out.printf(Locale.ROOT, "| %s | %s | %s | %.5f | %.5f | %d | %.0f | %.0f | %.0f |%n", name,
                            fit.label(), vocCell, l.foregroundIou(), c.foregroundIou(), marked, vocMs, davisMs, vtestMs);
                }
            }
        }
    }

    /** Pedestrians (boxes) with at least 8 person (or rider) pixels covering 5% of their box. */
    static int marked(FrameResult r, int[][] boxes, int person, int rider) {
        int marked = 0;
        for (int[] b : boxes) {
            int hits = 0;
            for (int y = b[1]; y < Math.min(b[3], r.height()); y++) {
                for (int x = b[0]; x < Math.min(b[2], r.width()); x++) {
                    int label = r.labels()[y * r.width() + x] & 0xFF;
                    hits += label == person || (rider >= 0 && label == rider) ? 1 : 0;
                }
            }
            int area = (b[2] - b[0]) * (b[3] - b[1]);
            marked += hits >= 8 && hits >= 0.05 * area ? 1 : 0;
        }
        return marked;
    }
}
