package io.segstream.crf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.SharedData;
import io.segstream.data.Asset;
import io.segstream.assets.Assets;
import io.segstream.codec.RgbImage;
import io.segstream.inference.Engines;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import io.segstream.inference.FrameTranslator;
import io.segstream.inference.InferenceEngine;
import io.segstream.inference.InputView;
import io.segstream.model.ModelCard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CRF on real frames with DeepLab's logits: label pruning keeps the result, changes sit at boundaries. */
class DenseCrfRealFrameTest {
    /** Labels below this probability everywhere take no part (DenseCrf's pruning as the pipeline uses it). */
    static final float PRUNE = 5e-2f;

    @TempDir
    static Path modelDir;
    static final List<Case> CASES = new ArrayList<>();

    record Case(String name, RgbImage frame, float[] logits, byte[] plain) {}

    @BeforeAll
    static void frames() throws Exception {
        SharedData.importModel(modelDir);
        ModelCard card = ModelCard.read(modelDir.resolve("model.json"));
        FrameTranslator translator = new FrameTranslator(card, Fit.of(FitMode.TILE));
        try (InferenceEngine engine = Engines.cpu(modelDir.resolve("model.onnx"), card.input().itemShape(), 2)) {
            for (Asset clip : List.of(Assets.VTEST, Assets.CAR_TRAFFIC)) {
                for (RgbImage frame : SharedData.frames(SharedData.path(clip), 30, 2, 60)) {
                    List<InputView> views = translator.plan(frame.width(), frame.height());
                    float[] inputs = new float[views.size() * translator.slotSize()];
                    translator.writeInputs(frame, views, inputs, 0);
                    translator.stitch(engine.infer(inputs, views.size()), 0, views, frame.width(), frame.height());
                    int n = frame.width() * frame.height();
                    byte[] plain = new byte[n];
                    translator.argmax(plain);
                    CASES.add(new Case(clip.name() + "#" + CASES.size(), frame,
                            java.util.Arrays.copyOf(translator.planes(), card.classCount() * n), plain));
                }
            }
        }
    }

    @Test
    void pruningNegligibleLabelsKeepsTheArgmaxOfTheFullCrf() {
        for (Case c : CASES) {
            int w = c.frame().width();
            int h = c.frame().height();
            byte[] full = new byte[w * h];
            byte[] pruned = new byte[w * h];
            new DenseCrf(CrfOptions.of(CrfParams.DEEPLAB)).infer(c.frame().data(), w, h, c.logits(), 21, full);
            DenseCrf fast = new DenseCrf(CrfOptions.of(CrfParams.DEEPLAB).withPruneProbability(PRUNE));
            fast.infer(c.frame().data(), w, h, c.logits(), 21, pruned);
            int agree = 0;
            for (int p = 0; p < w * h; p++) {
                agree += full[p] == pruned[p] ? 1 : 0;
            }
            double agreement = (double) agree / (w * h);
            System.out.printf("%s: %d of 21 labels active, argmax agreement with all labels %.5f%n", c.name(),
                    fast.activeLabels(), agreement);
            assertTrue(agreement >= 0.995, c.name() + ": " + agreement);
        }
    }

    /**
     * The stop rule's count is exact: each iteration's flips are the pixels whose argmax it
     * changed (an earlier version compared old marginals with new ones half-way through a pixel's
     * update, and missed flips to a later label).
     */
    @Test
    void eachIterationCountsExactlyThePixelsWhoseLabelItChanged() {
        for (Case c : CASES) {
            int n = c.frame().width() * c.frame().height();
            byte[] before = new byte[n];
            byte[] after = new byte[n];
            try (DenseCrf crf = new DenseCrf(CrfOptions.of(CrfParams.DEEPLAB).withPruneProbability(PRUNE)
                    .withThreads(2))) {
                crf.prepare(c.frame().data(), c.frame().width(), c.frame().height(), c.logits(), 21);
                crf.initFromUnaries();
                int total = 0;
                for (int it = 0; it < 5; it++) {
                    crf.argmax(before);
                    crf.iterate(1);
                    crf.argmax(after);
                    int changed = 0;
                    for (int p = 0; p < n; p++) {
                        changed += before[p] != after[p] ? 1 : 0;
                    }
                    assertEquals(changed, crf.lastFlips(), c.name() + ", iteration " + (it + 1));
                    total += changed;
                }
                assertTrue(total > 0, c.name() + ": the CRF changed no label, so the count was not exercised");
            }
        }
    }

    @Test
    void twoThreadsGiveTheLabelsOfOne() {
        Case c = CASES.get(0);
        int w = c.frame().width();
        int h = c.frame().height();
        byte[] one = new byte[w * h];
        byte[] two = new byte[w * h];
        new DenseCrf(CrfOptions.of(CrfParams.DEEPLAB)
                .withPruneProbability(PRUNE)).infer(c.frame().data(), w, h, c.logits(), 21, one);
        try (DenseCrf parallel = new DenseCrf(CrfOptions.of(CrfParams.DEEPLAB).withPruneProbability(PRUNE)
                .withThreads(2))) {
            parallel.infer(c.frame().data(), w, h, c.logits(), 21, two);
        }
        int differ = 0;
        for (int p = 0; p < w * h; p++) {
            differ += one[p] != two[p] ? 1 : 0;
        }
        // Splat sums are added in another order with two threads, so floats may differ in the last bits.
        assertTrue(differ <= w * h / 10_000, differ + " pixels differ");
    }

    @Test
    void theCrfChangesLabelsMostlyNearClassBoundaries() {
        long changed = 0;
        long nearBoundary = 0;
        for (Case c : CASES) {
            int w = c.frame().width();
            int h = c.frame().height();
            byte[] refined = new byte[w * h];
            new DenseCrf(CrfOptions.of(CrfParams.DEEPLAB)
                    .withPruneProbability(PRUNE)).infer(c.frame().data(), w, h, c.logits(), 21, refined);
            int[] distance = boundaryDistance(c.plain(), w, h);
            long caseChanged = 0;
            long caseNear = 0;
            for (int p = 0; p < w * h; p++) {
                if (refined[p] != c.plain()[p]) {
                    caseChanged++;
                    caseNear += distance[p] <= 8 ? 1 : 0;
                }
            }
            System.out.printf("%s: CRF changed %.2f%% of pixels, %.1f%% of them within 8 px of a boundary%n",
                    c.name(), 100.0 * caseChanged / (w * h), caseChanged == 0 ? 100.0 : 100.0 * caseNear / caseChanged);
            changed += caseChanged;
            nearBoundary += caseNear;
        }
        assertTrue(changed > 0, "the CRF changed nothing");
        double share = (double) nearBoundary / changed;
        assertTrue(share >= 0.8, "only " + share + " of changed pixels lie within 8 px of a boundary");
    }

    /** Chessboard distance of each pixel to the nearest pixel whose 4-neighbour has another label. */
    static int[] boundaryDistance(byte[] labels, int w, int h) {
        int[] d = new int[w * h];
        java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
        java.util.Arrays.fill(d, Integer.MAX_VALUE);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                boolean edge = (x > 0 && labels[p - 1] != labels[p]) || (x < w - 1 && labels[p + 1] != labels[p])
                        || (y > 0 && labels[p - w] != labels[p]) || (y < h - 1 && labels[p + w] != labels[p]);
                if (edge) {
                    d[p] = 0;
                    queue.add(p);
                }
            }
        }
        while (!queue.isEmpty()) {
            int p = queue.poll();
            int x = p % w;
            int y = p / w;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int nx = x + dx;
                    int ny = y + dy;
                    if (nx >= 0 && ny >= 0 && nx < w && ny < h && d[ny * w + nx] > d[p] + 1) {
                        d[ny * w + nx] = d[p] + 1;
                        queue.add(ny * w + nx);
                    }
                }
            }
        }
        return d;
    }
}
