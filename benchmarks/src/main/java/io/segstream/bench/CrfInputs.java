package io.segstream.bench;

import io.segstream.data.AssetResolver;
import io.segstream.codec.RgbImage;
import io.segstream.crf.CrfParams;
import io.segstream.inference.Engines;
import io.segstream.inference.Fit;
import io.segstream.inference.FrameTranslator;
import io.segstream.inference.InferenceEngine;
import io.segstream.inference.InputView;
import io.segstream.model.ModelCard;
import io.segstream.config.SegstreamConfig;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelLocator;
import io.segstream.segmentation.ModelCrf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the CRF harnesses share: the data directory, and DeepLab's logits for a frame (the default
 * model and fit unless -Dsegstream.model and -Dsegstream.fit say, ONNX Runtime on 2 threads), as
 * the pipeline computes them before its CRF. Figures before 2026-12-02 were taken with the
 * half-width 257 model and fit tile: {@code -Dsegstream.model=deeplabv3-mnv2-dm05-voc-257 -Dsegstream.fit=tile}.
 */
final class CrfInputs implements AutoCloseable {
    private final ModelCard card;
    private final FrameTranslator translator;
    private final InferenceEngine engine;

    private CrfInputs(ModelCard card, Fit fit, InferenceEngine engine) {
        this.card = card;
        this.translator = new FrameTranslator(card, fit);
        this.engine = engine;
    }

    /** -Dsegstream.data.dir, else SEGSTREAM_DATA_DIR, else ../shared/data. */
    static Path dataDir() {
        return Path.of(System.getProperty("segstream.data.dir", System.getenv().getOrDefault("SEGSTREAM_DATA_DIR",
                "../shared/data")));
    }

    /**
     * The model {@code -Dsegstream.model} names (a zoo name or an imported directory; default: the
     * product's default model) with the fit {@code -Dsegstream.fit} names (tile, zoom, squash,
     * letterbox; default: the product's), on ONNX Runtime with 2 threads.
     */
    static CrfInputs open(AssetResolver assets) throws IOException {
        String model = System.getProperty("segstream.model", SegstreamConfig.DEFAULT_MODEL);
        Path modelDir = ModelLocator.locate(model, assets);
        ModelCard card = ModelCard.read(modelDir.resolve(ModelImporter.CARD_FILE));
        String fitName = System.getProperty("segstream.fit");
        Fit fit = new SegstreamConfig(fitName == null ? Map.of() : Map.of(SegstreamConfig.FIT, fitName)).fit();
        System.out.printf(Locale.ROOT, "logits: %s (%s), fit %s%n", card.id(), modelDir, fit.label());
        return new CrfInputs(card, fit, Engines.cpu(modelDir.resolve(ModelImporter.MODEL_FILE),
                card.input().itemShape(), 2));
    }

    ModelCard card() {
        return card;
    }

    /**
     * The CRF parameters the product runs for this model ({@code ModelCrf}: its card's, else DeepLab
     * v2's), or the kernels {@code -Dsegstream.crf=w1,theta_alpha,theta_beta,w2,theta_gamma} names,
     * with the card's iteration cap.
     */
    CrfParams params() {
        CrfParams model = ModelCrf.params(card);
        String given = System.getProperty("segstream.crf");
        return given == null ? model : kernels(given.split(","), model.iterations());
    }

    /** The network's own labels for the frame {@link #logits} last ran on. */
    void argmax(byte[] labels) {
        translator.argmax(labels);
    }

    /** Class planes {@code [label][height][width]} of the image's upsampled logits (a copy). */
    float[] logits(RgbImage image) {
        int w = image.width();
        int h = image.height();
        List<InputView> views = translator.plan(w, h);
        float[] inputs = new float[views.size() * translator.slotSize()];
        translator.writeInputs(image, views, inputs, 0);
        float[] out = new float[0];
        for (int start = 0; start < views.size(); start += 8) { // at most 8 inputs per engine call
            int n = Math.min(8, views.size() - start);
            float[] o = engine.infer(Arrays.copyOfRange(inputs, start * translator.slotSize(),
                    (start + n) * translator.slotSize()), n);
            out = Arrays.copyOf(out, out.length + o.length);
            System.arraycopy(o, 0, out, out.length - o.length, o.length);
        }
        translator.stitch(out, 0, views, w, h);
        return Arrays.copyOf(translator.planes(), card.classCount() * w * h);
    }

    /** A parameter set's kernels as DeepLab writes them: {@code w1, theta_alpha, theta_beta, w2, theta_gamma}. */
    static String describe(CrfParams p) {
        return String.join(", ", number(p.w1()), number(p.thetaAlpha()), number(p.thetaBeta()), number(p.w2()),
                number(p.thetaGamma()));
    }

    /** Kernels from the first five of {@code values}, in {@link #describe}'s order, with the given iterations. */
    static CrfParams kernels(String[] values, int iterations) {
        return new CrfParams(Float.parseFloat(values[0]), Float.parseFloat(values[1]), Float.parseFloat(values[2]),
                Float.parseFloat(values[3]), Float.parseFloat(values[4]), iterations);
    }

    private static String number(float value) {
        return value == Math.rint(value) ? String.valueOf((int) value) : String.valueOf(value);
    }

    @Override
    public void close() {
        engine.close();
    }
}
