package io.segstream.bench;

import io.segstream.assets.Assets;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoFrames;
import io.segstream.data.AssetResolver;
import io.segstream.inference.EngineChoice;
import io.segstream.inference.EngineProvider;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.Engines;
import io.segstream.inference.Fit;
import io.segstream.inference.FitMode;
import io.segstream.inference.FrameTranslator;
import io.segstream.inference.InferenceEngine;
import io.segstream.inference.InputView;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelLocator;
import io.segstream.model.ModelZoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The GPU route, proved on a machine with an NVIDIA GPU (benchmarks/gpu-check.sh runs it with the
 * GPU build): for each model, inference ms per frame at batch 1, 8 and 32 on cpu, cuda, tensorrt
 * fp16 and (for an int8 model) tensorrt int8, and the share of logits argmax that agrees with the
 * CPU's on real frames. Stops with one line when an engine cannot run here.
 *
 * <pre>
 * java -cp ... io.segstream.bench.GpuCheck MODEL[,MODEL...] [rounds]
 * </pre>
 */
public final class GpuCheck {
    private GpuCheck() {}

    record Variant(String label, EngineChoice engine, boolean fp16) {}

    public static void main(String[] args) throws Exception {
        List<String> models = List.of(args.length > 0 ? args[0].split(",") : new String[] {"deeplabv3-mnv2-voc"});
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        for (EngineProvider p : Engines.providers()) {
            EngineProvider.Availability a = p.availability();
            System.out.printf("engine %-9s %s: %s%n", p.choice().label(), a.available() ? "can run" : "cannot run",
                    a.reason());
            if (!p.choice().equals(EngineChoice.CPU) && !a.available()) {
                System.out.println("gpu-check: stopping: " + p.choice().label() + " cannot run here (above)");
                System.exit(3);
            }
        }
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        List<RgbImage> frames = VideoFrames.sample(assets.resolve(Assets.VTEST), 20, 8, 60);
        Path cache = Files.createTempDirectory("gpu-check-trt");
        System.out.println("| model | engine | batch 1 ms/frame | batch 8 | batch 32 | argmax agreement with cpu |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (String name : models) {
            ModelZoo.Named named = ModelZoo.lookup(name).orElseThrow(() -> new IllegalArgumentException(name));
            Path dir = ModelLocator.importedDir(named, assets);
            ModelCard card = ModelCard.read(dir.resolve(ModelImporter.CARD_FILE));
            boolean int8 = "int8".equals(card.source().precision());
            FrameTranslator translator = new FrameTranslator(card, Fit.of(FitMode.SQUASH));
            int slot = translator.slotSize();
            float[] inputs = new float[32 * slot];
            for (int i = 0; i < 32; i++) {
                RgbImage f = frames.get(i % frames.size());
                translator.writeInputs(f, List.of(new InputView(0, 0, f.width(), f.height(), 0, 0,
                        card.input().width(), card.input().height())), inputs, i);
            }
            List<Variant> variants = new ArrayList<>(List.of(new Variant("cpu", EngineChoice.CPU, false),
                    new Variant("cuda", EngineChoice.parse("cuda"), false),
                    new Variant("tensorrt " + (int8 ? "int8" : "fp32"), EngineChoice.parse("tensorrt"), false),
                    new Variant("tensorrt fp16" + (int8 ? "+int8" : ""), EngineChoice.parse("tensorrt"), true)));
            float[] reference = null;
            for (Variant v : variants) {
                EngineRequest request = new EngineRequest(dir.resolve(ModelImporter.MODEL_FILE), card.id(), int8,
                        card.input().itemShape(), Runtime.getRuntime().availableProcessors(), 1, v.fp16(), cache);
                try (InferenceEngine engine = Engines.open(v.engine(), request)) {
                    double[] ms = new double[3];
                    int[] batches = {1, 8, 32};
                    for (int b = 0; b < 3; b++) {
                        float[] in = Arrays.copyOf(inputs, batches[b] * slot);
                        for (int i = 0; i < 3; i++) {
                            engine.infer(in, batches[b]); // warm-up (TensorRT builds or loads its engine here)
                        }
                        double[] t = new double[rounds];
                        for (int r = 0; r < rounds; r++) {
                            long t0 = System.nanoTime();
                            engine.infer(in, batches[b]);
                            t[r] = (System.nanoTime() - t0) / 1e6 / batches[b];
                        }
                        Arrays.sort(t);
                        ms[b] = t[rounds / 2];
                    }
                    float[] out = engine.infer(Arrays.copyOf(inputs, frames.size() * slot), frames.size());
                    if (reference == null) {
                        reference = out;
                    }
                    System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %.4f |%n", name, v.label(), ms[0],
                            ms[1], ms[2], agreement(reference, out, card));
                }
            }
        }
    }

    /** Share of logit positions whose argmax over classes is the same in both outputs. */
    static double agreement(float[] a, float[] b, ModelCard card) {
        int classes = card.classCount();
        int plane = card.output().width() * card.output().height();
        int items = a.length / (classes * plane);
        long same = 0;
        for (int i = 0; i < items; i++) {
            int base = i * classes * plane;
            for (int p = 0; p < plane; p++) {
                int ba = 0;
                int bb = 0;
                for (int c = 1; c < classes; c++) {
                    if (a[base + c * plane + p] > a[base + ba * plane + p]) {
                        ba = c;
                    }
                    if (b[base + c * plane + p] > b[base + bb * plane + p]) {
                        bb = c;
                    }
                }
                same += ba == bb ? 1 : 0;
            }
        }
        return (double) same / ((long) items * plane);
    }
}
