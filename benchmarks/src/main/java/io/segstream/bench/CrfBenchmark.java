package io.segstream.bench;

import io.segstream.data.AssetResolver;
import io.segstream.assets.Assets;
import io.segstream.codec.PixelConverter;
import io.segstream.codec.RgbImage;
import io.segstream.codec.VideoSource;
import io.segstream.crf.CrfOptions;
import io.segstream.crf.CrfParams;
import io.segstream.crf.DenseCrf;
import io.segstream.schemas.v1.PixelFormat;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The dense CRF on a real frame (frame 100 of vtest_720p.avi, resized) with DeepLab's logits for it
 * (21 labels) and DeepLab's parameters, on 1 or 2 threads, at the sizes of the reference C++ table
 * in the CRF issue: lattice build per frame (the appearance lattice and its normalisation; the
 * smoothness lattice depends only on the frame size and is built once per size), one iteration
 * (from a cold start), and the total of a frame: build plus 5 iterations.
 *
 * <pre>
 * java -Dsegstream.data.dir=../shared/data -jar benchmarks/target/benchmarks.jar CrfBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
public class CrfBenchmark {
    @Param({"320x240", "640x480", "1280x720"})
    public String size;

    /** 0: all 21 labels filtered; 0.05: labels under 5% probability everywhere take no part. */
    @Param({"0", "0.05"})
    public float prune;

    /** Threads sharing each pass. */
    @Param({"1", "2"})
    public int threads;

    private RgbImage frame;
    private float[] logits;
    private int labels;
    private DenseCrf crf;
    private byte[] out;

    @Setup
    public void setUp() throws Exception {
        String[] wh = size.split("x");
        int w = Integer.parseInt(wh[0]);
        int h = Integer.parseInt(wh[1]);
        AssetResolver assets = AssetResolver.fromEnvironment(null);
        RgbImage full = new RgbImage(1, 1);
        try (VideoSource video = VideoSource.open(assets.resolve(Assets.VTEST_720P).toString(),
                PixelFormat.PIXEL_FORMAT_I420)) {
            for (int i = 0; i <= 100; i++) {
                var decoded = video.next();
                if (i == 100) {
                    PixelConverter.toRgb(decoded.layout(), decoded.data(), full);
                }
            }
        }
        frame = resize(full, w, h);
        try (CrfInputs inputs = CrfInputs.open(assets)) {
            labels = inputs.card().classCount();
            logits = inputs.logits(frame);
        }
        crf = new DenseCrf(CrfOptions.of(CrfParams.DEEPLAB).withPruneProbability(prune).withThreads(threads));
        out = new byte[w * h];
        crf.prepare(frame.data(), w, h, logits, labels);
    }

    public int width() {
        return frame.width();
    }

    public int height() {
        return frame.height();
    }

    public byte[] rgb() {
        return frame.data();
    }

    public float[] logits() {
        return logits;
    }

    public static RgbImage resize(RgbImage src, int w, int h) {
        RgbImage dst = new RgbImage(w, h);
        byte[] s = src.data();
        byte[] d = dst.data();
        for (int y = 0; y < h; y++) {
            double sy = Math.min(src.height() - 1.0, Math.max(0, (y + 0.5) * src.height() / h - 0.5));
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, src.height() - 1);
            double fy = sy - y0;
            for (int x = 0; x < w; x++) {
                double sx = Math.min(src.width() - 1.0, Math.max(0, (x + 0.5) * src.width() / w - 0.5));
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, src.width() - 1);
                double fx = sx - x0;
                for (int c = 0; c < 3; c++) {
                    double top = (s[3 * (y0 * src.width() + x0) + c] & 0xFF) * (1 - fx)
                            + (s[3 * (y0 * src.width() + x1) + c] & 0xFF) * fx;
                    double bottom = (s[3 * (y1 * src.width() + x0) + c] & 0xFF) * (1 - fx)
                            + (s[3 * (y1 * src.width() + x1) + c] & 0xFF) * fx;
                    d[3 * (y * w + x) + c] = (byte) Math.round(top * (1 - fy) + bottom * fy);
                }
            }
        }
        return dst;
    }

    @Benchmark
    public DenseCrf latticeBuild() {
        crf.prepare(frame.data(), frame.width(), frame.height(), logits, labels);
        return crf;
    }

    @Benchmark
    public DenseCrf oneIteration() {
        crf.initFromUnaries();
        crf.iterate(1);
        return crf;
    }

    @org.openjdk.jmh.annotations.TearDown
    public void tearDown() {
        crf.close();
    }

    @Benchmark
    public byte[] totalFiveIterations() {
        crf.infer(frame.data(), frame.width(), frame.height(), logits, labels, out);
        return out;
    }
}
