package io.segstream.eval;

import io.segstream.codec.ImageFiles;
import io.segstream.codec.LabelMap;
import io.segstream.codec.MaskPng;
import io.segstream.codec.RgbImage;
import io.segstream.segmentation.CameraStates;
import io.segstream.segmentation.CrfTally;
import io.segstream.segmentation.FrameResult;
import io.segstream.segmentation.SegmentationPath;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Scores the segmentation path on labelled data ({@link LabelledSet}) with one confusion matrix
 * over all pixels, not a mean of per-image scores. VOC: each image is a still; the ground truth's
 * class indices are compared with the labels (255 ignored). DAVIS: each sequence runs as one
 * camera (the CRF warm-started along it, as in the processor) and is scored as foreground IoU of
 * one class against the binary mask.
 */
public final class Evaluation {
    /** VOC's "ignore" label. */
    public static final int IGNORE = 255;

    /** One DAVIS sequence's score. */
    public record SequenceScore(String name, int frames, long intersection, long union) {
        public double iou() {
            return union == 0 ? Double.NaN : (double) intersection / union;
        }
    }

    /**
     * What a run measured.
     *
     * @param matrix VOC: class confusion; DAVIS: 2 classes (0 not the class, 1 the class)
     * @param sequences DAVIS: per sequence (empty for VOC)
     * @param frames images segmented
     * @param seconds time spent segmenting them (decoding excluded)
     * @param crfIterations mean CRF iterations per frame (0 when off)
     * @param warmShare share of CRF frames that started warm
     */
    public record Result(LabelledSet.Layout layout, ConfusionMatrix matrix, List<SequenceScore> sequences,
            int frames, double seconds, double crfIterations, double warmShare) {
        public double framesPerSecond() {
            return frames / seconds;
        }

        /** DAVIS: foreground IoU over all frames of all sequences. */
        public double foregroundIou() {
            long inter = 0;
            long union = 0;
            for (SequenceScore s : sequences) {
                inter += s.intersection();
                union += s.union();
            }
            return union == 0 ? Double.NaN : (double) inter / union;
        }
    }

    private Evaluation() {}

    /**
     * @param classes the model's class count (VOC scoring)
     * @param foreground DAVIS: the class scored as foreground
     * @param progress told after each image
     */
    public static Result run(SegmentationPath path, LabelledSet set, int classes, int foreground,
            IntConsumer progress) throws IOException, InterruptedException {
        boolean davis = set.layout() == LabelledSet.Layout.DAVIS;
        ConfusionMatrix matrix = new ConfusionMatrix(davis ? 2 : classes);
        List<SequenceScore> scores = new ArrayList<>();
        long nanos = 0;
        int done = 0;
        CrfTally crf = new CrfTally();
        byte[] truthBinary = new byte[0];
        byte[] predicted = new byte[0];
        for (LabelledSet.Sequence sequence : set.sequences()) {
            CameraStates states = CameraStates.inMemory();
            long inter = 0;
            long union = 0;
            long frame = 0;
            for (LabelledSet.Sample sample : sequence.samples()) {
                RgbImage image = ImageFiles.read(sample.image());
                LabelMap truth = MaskPng.decode(Files.readAllBytes(sample.mask()));
                if (truth.width() != image.width() || truth.height() != image.height()) {
                    throw new IllegalArgumentException("mask " + sample.mask() + " is " + truth.width() + "x"
                            + truth.height() + " but its image is " + image.width() + "x" + image.height());
                }
                long t0 = System.nanoTime();
                SegmentationPath.Input input = davis ? new SegmentationPath.Input(sequence.name(), frame++, image)
                        : SegmentationPath.Input.still(image);
                FrameResult r = path.segment(input, states);
                nanos += System.nanoTime() - t0;
                if (r.crf() != null) {
                    crf.add(r.crf());
                }
                byte[] labels = r.labels();
                if (davis) {
                    int n = labels.length;
                    if (truthBinary.length < n) {
                        truthBinary = new byte[n];
                        predicted = new byte[n];
                    }
                    for (int i = 0; i < n; i++) {
                        boolean t = truth.labels()[i] != 0;
                        boolean p = (labels[i] & 0xFF) == foreground;
                        truthBinary[i] = (byte) (t ? 1 : 0);
                        predicted[i] = (byte) (p ? 1 : 0);
                        inter += t && p ? 1 : 0;
                        union += t || p ? 1 : 0;
                    }
                    matrix.add(truthBinary, predicted, n, -1);
                } else {
                    matrix.add(truth.labels(), labels, IGNORE);
                }
                progress.accept(++done);
            }
            if (davis) {
                scores.add(new SequenceScore(sequence.name(), sequence.samples().size(), inter, union));
            }
        }
        return new Result(set.layout(), matrix, List.copyOf(scores), done, nanos / 1e9, crf.meanIterations(),
                crf.warmShare());
    }
}
