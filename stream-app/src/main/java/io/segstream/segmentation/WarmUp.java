package io.segstream.segmentation;

import io.segstream.codec.PixelConverter;
import io.segstream.codec.PixelLayout;
import io.segstream.codec.RgbImage;
import io.segstream.schemas.v1.PixelFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Segments synthetic frames before a processor takes its first camera frame: the model and the CRF
 * run once (1-4 s on a 2-core machine), so one that cannot run fails before the group gives the
 * processor cameras. It was meant to spare a live camera's first frames the engine's first runs too;
 * the capacity harness found no measurable gain there (benchmarks/RESULTS.md, "what the warm-up
 * buys": the first seconds are slow for the JIT compiling Kafka's and the JDK's code). The frames are one
 * camera's sequence of {@value #WIDTH}x{@value #HEIGHT} I420 images (a textured background with
 * moving blobs), so pixel conversion, the model's largest batch at the default fit, the logits'
 * stitching, the CRF cold then warm-started, and the label count all run; Triton's
 * {@code model_warmup} does the same for the engine alone.
 *
 * <p>The frames go through a path of the segmenter's own, called on this thread, with states of
 * their own: nothing reaches Kafka, the metrics or a real camera's state.
 */
public final class WarmUp {
    /** The frames' size: a 720p camera, the commonest surveillance resolution. */
    public static final int WIDTH = 1280;
    public static final int HEIGHT = 720;
    /** The camera the frames are segmented as. */
    static final String CAMERA = "segstream-warm-up";

    private WarmUp() {}

    /**
     * What a warm-up did: each frame's wall time, and whether its CRF started warm.
     *
     * @param frameNanos wall time per frame, conversion to labels
     * @param warm per frame, whether the CRF was warm-started (false without a CRF)
     */
    public record Result(long[] frameNanos, boolean[] warm) {
        public long totalNanos() {
            long total = 0;
            for (long n : frameNanos) {
                total += n;
            }
            return total;
        }

        /** "3 frames of 1280x720 in 4.1 s (2.9, 0.6, 0.6 s)", for the start-up line. */
        public String describe() {
            StringBuilder each = new StringBuilder();
            for (long n : frameNanos) {
                each.append(each.length() == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.1f",
                        n / 1e9));
            }
            return String.format(java.util.Locale.ROOT, "%d frames of %dx%d in %.1f s (%s s)", frameNanos.length,
                    WIDTH, HEIGHT, totalNanos() / 1e9, each);
        }
    }

    /**
     * Segments {@code frames} synthetic frames on a new path of {@code segmenter}'s, closed after.
     *
     * @param frames at least 1
     * @throws InterruptedException when the thread is interrupted (a shutdown during start-up)
     */
    public static Result run(final Segmenter segmenter, final int frames) throws InterruptedException {
        if (frames < 1) {
            throw new IllegalArgumentException("frames must be at least 1, was " + frames);
        }
        final PixelLayout layout = PixelLayout.of(PixelFormat.PIXEL_FORMAT_I420, WIDTH, HEIGHT, List.of());
        final byte[] i420 = new byte[Math.toIntExact(layout.totalBytes())];
        final RgbImage rgb = new RgbImage(1, 1);
        final CameraStates states = CameraStates.inMemory();
        final long[] nanos = new long[frames];
        final boolean[] warm = new boolean[frames];
        try (SegmentationPath path = segmenter.newPath(segmenter.card())) {
            for (int f = 0; f < frames; f++) {
                scene(f, i420);
                final long t0 = System.nanoTime();
                PixelConverter.toRgb(layout, i420, rgb);
                final FrameResult r = path.segment(new SegmentationPath.Input(CAMERA, f + 1, rgb), states);
                nanos[f] = System.nanoTime() - t0;
                warm[f] = r.crf() != null && r.crf().warm();
            }
        }
        return new Result(nanos, warm);
    }

    /**
     * Frame {@code index} of the scene into {@code i420} (tightly packed): a noisy diagonal
     * gradient, and a dozen person-sized blobs of their own colours that move a few pixels per
     * frame, so the CRF's motion gate sees both still and moving pixels.
     */
    static void scene(final int index, final byte[] i420) {
        final SplittableRandom noise = new SplittableRandom(17 + index);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                i420[y * WIDTH + x] = (byte) (40 + (x + y) * 140 / (WIDTH + HEIGHT) + noise.nextInt(12));
            }
        }
        final int cw = WIDTH / 2;
        final int ch = HEIGHT / 2;
        final int uOffset = WIDTH * HEIGHT;
        final int vOffset = uOffset + cw * ch;
        java.util.Arrays.fill(i420, uOffset, vOffset + cw * ch, (byte) 128);
        final SplittableRandom blobs = new SplittableRandom(5);
        final List<int[]> placed = new ArrayList<>();
        for (int b = 0; b < 12; b++) {
            final int bw = 30 + blobs.nextInt(40);
            final int bh = 2 * bw + blobs.nextInt(30);
            final int x0 = Math.floorMod(blobs.nextInt(WIDTH - bw) + index * (blobs.nextInt(9) - 4), WIDTH - bw);
            final int y0 = Math.floorMod(blobs.nextInt(HEIGHT - bh) + index * (blobs.nextInt(9) - 4), HEIGHT - bh);
            placed.add(new int[] {x0, y0, bw, bh, 60 + blobs.nextInt(160), blobs.nextInt(256), blobs.nextInt(256)});
        }
        for (int[] p : placed) {
            for (int y = p[1]; y < p[1] + p[3]; y++) {
                for (int x = p[0]; x < p[0] + p[2]; x++) {
                    i420[y * WIDTH + x] = (byte) (p[4] + noise.nextInt(8));
                }
            }
            for (int y = p[1] / 2; y < (p[1] + p[3]) / 2; y++) {
                for (int x = p[0] / 2; x < (p[0] + p[2]) / 2; x++) {
                    i420[uOffset + y * cw + x] = (byte) p[5];
                    i420[vOffset + y * cw + x] = (byte) p[6];
                }
            }
        }
    }
}
