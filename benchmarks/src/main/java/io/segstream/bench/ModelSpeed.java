package io.segstream.bench;

import io.segstream.codec.Resize;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoFrames;
import io.segstream.assets.Assets;
import io.segstream.data.AssetResolver;
import io.segstream.inference.EngineRequest;
import io.segstream.inference.Engines;
import io.segstream.inference.InferenceEngine;
import io.segstream.inference.InputView;
import io.segstream.inference.InputWriter;
import io.segstream.inference.TfliteModel;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import io.segstream.model.ModelZoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Inference time per frame of each 8-bit zoo model in the three ways segstream can run it: the
 * int8 QDQ import and the float import on ONNX Runtime (DJL, CPU), at batch 1 and 4, and the TFLite
 * interpreter on the original 8-bit file (batch 1, its default XNNPACK delegate), all on the same
 * real frame (vtest, resized to the input) and taking turns in short blocks so that this machine's
 * drift hits all alike. Prints medians and the int8 path's ratio to the interpreter.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -cp benchmarks/target/benchmarks.jar io.segstream.bench.ModelSpeed \
 *     [rounds] [threads] [model ...]
 * </pre>
 */
public final class ModelSpeed {
    private ModelSpeed() {}

    private static final int BLOCK = 6;
    private static final int SKIP = 1;

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        List<String> only = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        RgbImage frame = VideoFrames.sample(assets.resolve(Assets.VTEST), 100, 1, 1).get(0);
        Path work = Files.createTempDirectory("model-speed");
        System.out.printf("%d rounds, %d threads; ms per frame (median)%n", rounds, threads);
        System.out.println("| model | int8 b1 | int8 b4 | float b1 | float b4 | TFLite b1 | int8 b1 / TFLite | int8 b4 / "
                + "TFLite |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (ModelZoo.Entry entry : ModelZoo.ALL) {
            if (!entry.quantised() || (!only.isEmpty() && !only.contains(entry.name()))) {
                continue;
            }
            Path file = assets.resolve(entry.file());
            Path int8Dir = work.resolve(entry.name() + "-int8");
            Path floatDir = work.resolve(entry.name() + "-float");
            ModelCard int8 = ModelImporter.importModel(file, int8Dir, ModelImporter.Options.none()
                    .withPrecision(ModelImporter.Precision.INT8));
            ModelCard flt = ModelImporter.importModel(file, floatDir, ModelImporter.Options.none()
                    .withPrecision(ModelImporter.Precision.FLOAT));
            int w = int8.input().width();
            int h = int8.input().height();
            RgbImage input = Resize.bilinear(frame, w, h, null);
            InputWriter writer = new InputWriter(int8.input());
            float[] one = new float[writer.slotSize()];
            writer.write(input, new InputView(0, 0, w, h, 0, 0, w, h), one, 0);
            float[] four = new float[4 * one.length];
            for (int i = 0; i < 4; i++) {
                System.arraycopy(one, 0, four, i * one.length, one.length);
            }
            double[][] times = new double[5][rounds];
            try (InferenceEngine q = Engines.cpu(EngineRequest.forModel(int8Dir, int8, threads, 1, false, null));
                    InferenceEngine f = Engines.cpu(EngineRequest.forModel(floatDir, flt, threads, 1, false, null));
                    TfliteModel tflite = new TfliteModel(file, threads)) {
                byte[] labels = new byte[w * h];
                tflite.runBytes(input.data(), labels);
                Call[] calls = {() -> q.infer(one, 1), () -> q.infer(four, 4), () -> f.infer(one, 1),
                    () -> f.infer(four, 4), tflite::invoke};
                int[] perCall = {1, 4, 1, 4, 1};
                for (Call c : calls) {
                    for (int i = 0; i < 3; i++) {
                        c.run();
                    }
                }
                for (int r = 0; r < rounds; r += BLOCK - SKIP) {
                    int n = Math.min(BLOCK - SKIP, rounds - r);
                    for (int k = 0; k < calls.length; k++) {
                        time(calls[k], times[k], r, n, perCall[k]);
                    }
                }
            }
            double[] m = new double[5];
            for (int k = 0; k < 5; k++) {
                m[k] = Stats.median(times[k]);
            }
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |%n", entry.name(),
                    m[0], m[1], m[2], m[3], m[4], m[0] / m[4], m[1] / m[4]);
        }
    }

    interface Call {
        void run() throws Exception;
    }

    private static void time(Call call, double[] out, int from, int n, int frames) throws Exception {
        for (int i = 0; i < SKIP; i++) {
            call.run();
        }
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            call.run();
            out[from + i] = (System.nanoTime() - t0) / 1e6 / frames;
        }
    }

}
