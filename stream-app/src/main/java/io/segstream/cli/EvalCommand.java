package io.segstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.segstream.config.SegstreamConfig;
import io.segstream.data.AssetResolver;
import io.segstream.eval.ConfusionMatrix;
import io.segstream.eval.Evaluation;
import io.segstream.eval.LabelledSet;
import io.segstream.model.ModelCard;
import io.segstream.segmentation.Segmenter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Score a model on labelled data, on the same path as the processor (model, fit, engine, CRF and crf.* "
                + "settings).",
            "VOC layout (--images a folder of JPEGs, --masks a folder of palette PNGs with the same names, 255 = "
                + "ignore): mIoU over the classes present in the ground truth, IoU per class, pixel accuracy. DAVIS "
                + "layout (--images a folder of sequences of frames, --masks the same sequences' binary masks): "
                + "foreground IoU of --class, each sequence run as one camera (the CRF warm-started along it). One "
                + "confusion matrix over all pixels, not a mean of per-image scores. Also frames/s.",
            "",
            "Examples:",
            "  segstream eval --model deeplabv3-mnv2-voc-513 --images voc/JPEGImages --masks voc/SegmentationClass",
            "  segstream eval --images davis/JPEGImages/480p --masks davis/Annotations/480p --class person --crf on "
                + "--json"})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--images", required = true, paramLabel = "DIR", description = "The images (VOC) or sequences (DAVIS).")
    Path images;

    @Option(names = "--masks", required = true, paramLabel = "DIR", description = "Their masks, same names.")
    Path masks;

    @Option(names = "--layout", paramLabel = "voc|davis",
            description = "The data's layout (default: davis when --images holds folders, else voc).")
    String layout;

    @Option(names = "--class", paramLabel = "NAME",
            description = "DAVIS: the class scored as foreground (default: person).")
    String foreground = "person";

    @Option(names = "--batch", defaultValue = "8",
            description = "Largest inference batch, in model inputs (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "Print the result as JSON on stdout (for machines).")
    boolean json;

    @Mixin
    LocalOptions local;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws Exception {
        LabelledSet.Layout asked = layout == null ? null
                : LabelledSet.Layout.valueOf(layout.toUpperCase(Locale.ROOT));
        LabelledSet set = LabelledSet.load(images, masks, asked);
        AssetResolver assets = data.resolver();
        SegstreamConfig config = local.load();
        try (Segmenter model = LocalOptions.open(config, assets, batch)) {
            ModelCard card = model.card();
            int cls = card.classes().indexOf(foreground);
            if (set.layout() == LabelledSet.Layout.DAVIS && cls < 0) {
                throw new IllegalArgumentException("--class " + foreground + " is not a class of " + card.id()
                        + "; its classes: " + String.join(", ", card.classes()));
            }
            System.err.printf("eval: %d images (%s), %s, fit %s, %s%n", set.size(), set.layout(), card.id(),
                    config.fit().label(), model.path().description());
            Evaluation.Result result;
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("eval").setInitialMax(set.size())
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" images", 1).showSpeed().build()) {
                result = Evaluation.run(model.path(), set, card.classCount(), cls, bar::stepTo);
            }
            Map<String, Object> report = report(result, card, config, set, cls);
            if (json) {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(report));
            } else {
                print(result, card, cls);
            }
        }
        return ExitCodes.OK;
    }

    private static Map<String, Object> report(Evaluation.Result r, ModelCard card, SegstreamConfig config,
            LabelledSet set, int cls) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", card.id());
        out.put("layout", set.layout().name().toLowerCase(Locale.ROOT));
        out.put("fit", config.fit().label());
        out.put("crf", config.crfEnabled());
        out.put("images", r.frames());
        out.put("frames_per_second", r.framesPerSecond());
        ConfusionMatrix m = r.matrix();
        if (set.layout() == LabelledSet.Layout.VOC) {
            out.put("mean_iou", m.meanIou());
            out.put("pixel_accuracy", m.pixelAccuracy());
            Map<String, Object> perClass = new LinkedHashMap<>();
            for (int c = 0; c < m.classes(); c++) {
                if (m.truthPixels(c) > 0) {
                    perClass.put(card.classes().get(c), m.iou(c));
                }
            }
            out.put("iou", perClass);
        } else {
            out.put("class", card.classes().get(cls));
            out.put("foreground_iou", r.foregroundIou());
            out.put("pixel_accuracy", m.pixelAccuracy());
            Map<String, Object> perSequence = new LinkedHashMap<>();
            for (Evaluation.SequenceScore s : r.sequences()) {
                perSequence.put(s.name(), Map.of("frames", s.frames(), "iou", s.iou()));
            }
            out.put("sequences", perSequence);
        }
        if (config.crfEnabled()) {
            out.put("crf_iterations_per_frame", r.crfIterations());
            out.put("crf_warm_share", r.warmShare());
        }
        return out;
    }

    private static void print(Evaluation.Result r, ModelCard card, int cls) {
        ConfusionMatrix m = r.matrix();
        if (r.layout() == LabelledSet.Layout.VOC) {
            System.out.printf(Locale.ROOT, "mIoU %.4f over %d classes present, pixel accuracy %.4f, %d images, %.2f "
                    + "images/s%n", m.meanIou(), presentClasses(m), m.pixelAccuracy(), r.frames(), r.framesPerSecond());
            for (int c = 0; c < m.classes(); c++) {
                if (m.truthPixels(c) > 0) {
                    System.out.printf(Locale.ROOT, "  %-14s IoU %.4f%n", card.classes().get(c), m.iou(c));
                }
            }
        } else {
            System.out.printf(Locale.ROOT, "%s IoU %.4f over %d frames of %d sequences, pixel accuracy %.4f, %.2f "
                    + "frames/s%n", card.classes().get(cls), r.foregroundIou(), r.frames(), r.sequences().size(),
                    m.pixelAccuracy(), r.framesPerSecond());
            for (Evaluation.SequenceScore s : r.sequences()) {
                System.out.printf(Locale.ROOT, "  %-14s IoU %.4f (%d frames)%n", s.name(), s.iou(), s.frames());
            }
        }
        if (r.crfIterations() > 0) {
            System.out.printf(Locale.ROOT, "CRF: %.2f iterations per frame, %.0f%% warm-started%n", r.crfIterations(),
                    100 * r.warmShare());
        }
    }

    private static int presentClasses(ConfusionMatrix m) {
        int n = 0;
        for (int c = 0; c < m.classes(); c++) {
            n += m.truthPixels(c) > 0 ? 1 : 0;
        }
        return n;
    }
}
