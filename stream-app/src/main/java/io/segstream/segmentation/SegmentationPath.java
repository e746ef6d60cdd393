package io.segstream.segmentation;

import io.segstream.codec.Resize;
import io.segstream.codec.RgbImage;
import io.segstream.crf.CrfRefiner;
import io.segstream.crf.CrfState;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import io.segstream.inference.FrameTranslator;
import io.segstream.inference.InputView;
import io.segstream.inference.ModelRunner;
import io.segstream.model.ModelCard;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one way a frame becomes labels (DESIGN.md, "Data flow"): the frame is planned into model
 * inputs ({@link FitMode}: the whole frame, or tiles), they run through a {@link ModelRunner} (the
 * processor's shared dynamic batcher, or an engine directly), the logits are upsampled and
 * stitched back to the frame's pixels, refined by the CRF when there is one (warm-started from
 * the camera's carried state), and reduced to labels with pixels counted per class. The logits,
 * the CRF and the labels work at the {@link WorkingSize} (the frame's own size for small frames),
 * so their cost does not grow with the camera's resolution; the frame's own pixels feed the
 * network, and are brought to the working size for the CRF's appearance kernel. The Kafka
 * topology, {@code segment}, {@code eval}, the import check and the benchmarks all call this.
 *
 * <p>One instance per thread: it owns its buffers (model inputs and outputs, label maps), sized
 * once per frame size and reused; the labels of a result stay valid until the next call.
 */
public final class SegmentationPath implements AutoCloseable {
    /** One frame: its camera (whose state the CRF carries), sequence number and pixels. */
    public record Input(String camera, long sequence, RgbImage rgb) {
        /** A still image, not part of a camera's stream (the CRF starts cold). */
        public static Input still(RgbImage rgb) {
            return new Input("", 0, rgb);
        }
    }

    private final ModelCard card;
    private final FrameTranslator translator;
    private final ModelRunner runner;
    private final CrfRefiner crf;
    private final WorkingSize working;
    private RgbImage workingRgb = new RgbImage(1, 1);
    private float[] inputs = new float[0];
    private float[] outputs = new float[0];
    private final List<byte[]> labels = new ArrayList<>();
    private final List<long[]> counts = new ArrayList<>();

    /**
     * @param crf the refiner, or null for the argmax of the upsampled logits; the path closes it
     */
    public SegmentationPath(ModelCard card, Fit fit, ModelRunner runner, CrfRefiner crf) {
        this(card, fit, runner, crf, WorkingSize.SOURCE);
    }

    /**
     * @param crf the refiner, or null for the argmax of the upsampled logits; the path closes it
     * @param working the size the logits, the CRF and the labels work at
     */
    public SegmentationPath(ModelCard card, Fit fit, ModelRunner runner, CrfRefiner crf, WorkingSize working) {
        this.working = working;
        this.card = card;
        this.translator = new FrameTranslator(card, fit);
        this.runner = runner;
        this.crf = crf;
    }

    /** Segments one frame. */
    public FrameResult segment(Input frame, CameraStates states) throws InterruptedException {
        return segment(List.of(frame), states).get(0);
    }

    /**
     * Segments frames together: all their model inputs go to the runner in one call (it batches
     * them), then each frame is stitched and refined in order, so several frames of one camera get
     * their warm starts in sequence.
     */
    public List<FrameResult> segment(List<Input> frames, CameraStates states) throws InterruptedException {
        long t0 = System.nanoTime();
        List<List<InputView>> plans = new ArrayList<>(frames.size());
        int total = 0;
        for (Input frame : frames) {
            List<InputView> views = translator.plan(frame.rgb().width(), frame.rgb().height());
            plans.add(views);
            total += views.size();
        }
        int slot = translator.slotSize();
        int outputSize = translator.outputSize();
        if (inputs.length < total * slot) {
            inputs = new float[total * slot];
            outputs = new float[total * outputSize];
        }
        int first = 0;
        for (int f = 0; f < frames.size(); f++) {
            translator.writeInputs(frames.get(f).rgb(), plans.get(f), inputs, first);
            first += plans.get(f).size();
        }
        long t1 = System.nanoTime();
        ModelRunner.Run run = runner.run(inputs, total, outputs);
        float[] logits = run.outputs();
        List<FrameResult> results = new ArrayList<>(frames.size());
        first = 0;
        for (int f = 0; f < frames.size(); f++) {
            Input frame = frames.get(f);
            List<InputView> views = plans.get(f);
            long share = views.size();
            long p0 = System.nanoTime();
            RgbImage rgb = frame.rgb();
            int sw = rgb.width();
            int sh = rgb.height();
            int w = working.width(sw, sh);
            int h = working.height(sw, sh);
            translator.stitch(logits, first, views, sw, sh, w, h);
            first += views.size();
            byte[] out = labelsFor(2 * f, w * h);
            long crfNanos = 0;
            CrfRefiner.Outcome outcome = null;
            if (crf != null) {
                RgbImage appearance = rgb;
                if (w != sw || h != sh) {
                    workingRgb = Resize.bilinear(rgb, w, h, workingRgb);
                    appearance = workingRgb;
                }
                long c0 = System.nanoTime();
                outcome = refine(frame, appearance, out, states);
                crfNanos = System.nanoTime() - c0;
            } else {
                translator.argmax(out);
            }
            int lw = w;
            int lh = h;
            if (working.labelsAtSource() && (w != sw || h != sh)) {
                byte[] enlarged = labelsFor(2 * f + 1, sw * sh);
                enlarge(out, w, h, enlarged, sw, sh);
                out = enlarged;
                lw = sw;
                lh = sh;
            }
            long[] pixels = countsFor(f);
            Arrays.fill(pixels, 0);
            for (int p = 0; p < lw * lh; p++) {
                pixels[out[p] & 0xFF]++;
            }
            long post = System.nanoTime() - p0 - crfNanos;
            results.add(new FrameResult(frame.camera(), frame.sequence(), lw, lh, sw, sh, out, pixels,
                    translator.describe(views), views.size(), run.batchSize(), (t1 - t0) * share / total,
                    run.queueNanos(), run.inferenceNanos() * share / total, crfNanos, post, outcome));
        }
        return results;
    }

    /** The CRF warm-started from (and updating) the camera's carried state. */
    private CrfRefiner.Outcome refine(Input frame, RgbImage rgb, byte[] out, CameraStates states) {
        CrfState carried = null;
        boolean stream = !frame.camera().isEmpty();
        if (stream && crf.carriesState()) {
            carried = CrfState.parse(states.load(frame.camera())).orElse(null);
        }
        CrfRefiner.Outcome outcome = crf.refine(frame.camera(), frame.sequence(), rgb.data(), rgb.width(), rgb.height(),
                translator.planes(), card.classCount(), carried, out);
        if (stream && outcome.state() != null) {
            states.save(frame.camera(), outcome.state().toBytes());
        }
        return outcome;
    }

    /** Nearest-neighbour enlargement of a label map, pixel centres to pixel centres. */
    private static void enlarge(byte[] src, int w, int h, byte[] dst, int dw, int dh) {
        int[] xs = new int[dw];
        for (int x = 0; x < dw; x++) {
            xs[x] = Math.min(w - 1, (int) ((x + 0.5) * w / dw));
        }
        for (int y = 0; y < dh; y++) {
            int row = Math.min(h - 1, (int) ((y + 0.5) * h / dh)) * w;
            int o = y * dw;
            for (int x = 0; x < dw; x++) {
                dst[o + x] = src[row + xs[x]];
            }
        }
    }

    private byte[] labelsFor(int index, int pixels) {
        while (labels.size() <= index) {
            labels.add(new byte[0]);
        }
        byte[] buffer = labels.get(index);
        if (buffer.length != pixels) {
            buffer = new byte[pixels];
            labels.set(index, buffer);
        }
        return buffer;
    }

    private long[] countsFor(int index) {
        while (counts.size() <= index) {
            counts.add(new long[256]);
        }
        return counts.get(index);
    }

    public ModelCard card() {
        return card;
    }

    /** The fit's name, the engine and the CRF, for start-up lines. */
    public String description() {
        return runner.description() + ", CRF " + (crf == null ? "off" : "on (" + crf.description() + ")")
                + ", working size " + working.describe();
    }

    /** True when the CRF refines the labels. */
    public boolean refines() {
        return crf != null;
    }

    @Override
    public void close() {
        if (crf != null) {
            crf.close();
        }
    }
}
