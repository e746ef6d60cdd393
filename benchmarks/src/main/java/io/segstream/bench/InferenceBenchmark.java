package io.segstream.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.segstream.data.AssetResolver;
import io.segstream.assets.Assets;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoFrames;
import io.segstream.inference.Engines;
import io.segstream.inference.InferenceEngine;
import io.segstream.inference.InputView;
import io.segstream.inference.InputWriter;
import io.segstream.inference.TfliteModel;
import io.segstream.model.ModelCard;
import io.segstream.model.ModelImporter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Inference of the imported DeepLab v3 (257x257 input, 21x33x33 logits) on real vtest frames:
 * through segstream's DJL engine, through ONNX Runtime's Java API directly on the same model file
 * and thread settings, and through the TFLite interpreter on the TFLite twin. One call of the
 * {@code djl} and {@code ortDirect} benchmarks runs a whole batch; divide by {@code batch} for
 * per-frame time. The TFLite interpreter runs batch 1.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -jar benchmarks/target/benchmarks.jar InferenceBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@State(Scope.Benchmark)
public class InferenceBenchmark {
    /** ONNX Runtime intra-op threads and TFLite threads: this machine's 2 cores. */
    static final int THREADS = 2;

    @Param({"1", "4", "8"})
    int batch;

    private InferenceEngine djl;
    private OrtEnvironment env;
    private OrtSession session;
    private TfliteModel tflite;
    private float[] inputs;
    private float[] tfliteOut;
    private long[] shape;
    private int slot;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        AssetResolver assets = AssetResolver.fromEnvironment(dataDir());
        Path modelDir = Files.createTempDirectory("segstream-bench");
        ModelCard card = ModelImporter.importModel(assets.resolve(Assets.DEEPLAB_ONNX), modelDir,
                ModelImporter.Options.none());
        List<RgbImage> frames = VideoFrames.sample(assets.resolve(Assets.VTEST), 0, batch, 25);
        InputWriter writer = new InputWriter(card.input());
        slot = writer.slotSize();
        inputs = new float[batch * slot];
        for (int i = 0; i < batch; i++) {
            RgbImage f = frames.get(i);
            writer.write(f, new InputView(0, 0, f.width(), f.height(), 0, 0, 257, 257), inputs, i);
        }
        shape = new long[] {batch, 257, 257, 3};
        Path model = modelDir.resolve(ModelImporter.MODEL_FILE);
        djl = Engines.cpu(model, new long[] {257, 257, 3}, THREADS);
        env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(THREADS);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(model.toString(), options);
        tfliteOut = new float[257 * 257 * 21];
        tflite = new TfliteModel(assets.resolve(Assets.DEEPLAB_TFLITE), THREADS);
    }

    static Path dataDir() {
        String configured = System.getProperty("segstream.data.dir");
        return Path.of(configured != null ? configured : "../shared/data");
    }

    @Benchmark
    public float[] djl() {
        return djl.infer(inputs, batch);
    }

    @Benchmark
    public float[] ortDirect() throws OrtException {
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(inputs), shape);
                OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), tensor))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] logits = new float[out.remaining()];
            out.get(logits);
            return logits;
        }
    }

    /** One frame through the TFLite interpreter (XNNPACK); independent of {@code batch}. */
    @Benchmark
    public float[] tfliteOneFrame() {
        tflite.run(inputs, 0, tfliteOut);
        return tfliteOut;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        djl.close();
        session.close();
        tflite.close();
    }
}
