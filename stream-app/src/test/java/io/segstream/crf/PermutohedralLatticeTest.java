package io.segstream.crf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A lattice built by several workers (each embedding a range of points into its own vertex table,
 * merged afterwards) is the lattice one worker builds: same vertices, and a filter on it gives
 * bit-identical results, because each vertex sums its points in the same order either way. A
 * lattice rebuilt for a new frame is the lattice built afresh for it.
 */
class PermutohedralLatticeTest {
    private static final int W = 160;
    private static final int H = 120;

    /** Grid positions over 20 px and a smooth colour field with noise over 6 levels: a frame's appearance features. */
    private static float[] features(long seed) {
        Random random = new Random(seed);
        float[] f = new float[W * H * 5];
        for (int y = 0, p = 0; y < H; y++) {
            for (int x = 0; x < W; x++, p++) {
                f[5 * p] = x / 20f;
                f[5 * p + 1] = y / 20f;
                for (int c = 0; c < 3; c++) {
                    float colour = 128 + 100 * (float) Math.sin((x + 40 * c) / 23.0 + y / 31.0) + random.nextInt(12);
                    f[5 * p + 2 + c] = colour / 6f;
                }
            }
        }
        return f;
    }

    private static float[] filtered(PermutohedralLattice lattice, float[] in) {
        float[] out = new float[in.length];
        lattice.filter(in, out, 3);
        return out;
    }

    @Test
    void aBuildSplitAcrossWorkersFiltersExactlyAsOneWorkersBuild() {
        int n = W * H;
        float[] in = new float[n * 3];
        Random random = new Random(7);
        for (int i = 0; i < in.length; i++) {
            in[i] = random.nextFloat();
        }
        PermutohedralLattice one = new PermutohedralLattice(5);
        PermutohedralLattice two = new PermutohedralLattice(5);
        try (Parallel workers = new Parallel(2)) {
            // Two frames in turn: the second build reuses the first one's tables.
            for (long seed = 1; seed <= 2; seed++) {
                float[] f = features(seed);
                one.init(f, n);
                two.init(f, n, workers);
                assertEquals(one.vertices(), two.vertices(), "vertices, frame " + seed);
                assertArrayEquals(filtered(one, in), filtered(two, in), "filter, frame " + seed);
                // Nothing of the first frame's build (tables, the simplex caches) leaks into the second's.
                PermutohedralLattice fresh = new PermutohedralLattice(5);
                fresh.init(f, n);
                assertArrayEquals(filtered(fresh, in), filtered(two, in), "filter against a fresh build, frame " + seed);
            }
            // An update of the split build adds what the update of the serial one does.
            float[] next = features(3);
            int[] changed = new int[n / 4];
            for (int i = 0; i < changed.length; i++) {
                changed[i] = 4 * i;
            }
            float[] f = features(2);
            for (int p : changed) {
                System.arraycopy(next, 5 * p, f, 5 * p, 5);
            }
            PermutohedralLattice three = new PermutohedralLattice(5);
            three.init(features(2), n);
            one.update(f, changed, changed.length);
            two.update(f, changed, changed.length);
            assertEquals(one.vertices(), two.vertices(), "vertices after the update");
            assertArrayEquals(filtered(one, in), filtered(two, in), "filter after the update");
            // An update split across workers (each adding new vertices to a table of its own, merged
            // after) adds the same vertices, numbered otherwise, and filters alike.
            assertTrue(changed.length >= 4096, "enough changed points for the update to be split");
            three.update(f, changed, changed.length, workers);
            assertEquals(one.vertices(), three.vertices(), "vertices after the split update");
            assertArrayEquals(filtered(one, in), filtered(three, in), "filter after the split update");
        }
    }

    /**
     * An update finds a moved point's corners after the first by following the lattice's neighbour
     * links where they exist, and looks them up where they do not: every point's corners and
     * weights are then those a fresh build of the new features gives it, with one worker and split.
     */
    @Test
    void anUpdateFindsEachPointsCornersAsAFreshBuildDoes() {
        int n = W * H;
        float[] before = features(2);
        float[] next = features(3);
        int[] changed = new int[n / 3];
        for (int i = 0; i < changed.length; i++) {
            changed[i] = 3 * i + 1;
        }
        float[] after = before.clone();
        for (int p : changed) {
            System.arraycopy(next, 5 * p, after, 5 * p, 5);
        }
        PermutohedralLattice fresh = new PermutohedralLattice(5);
        fresh.init(after, n);
        try (Parallel workers = new Parallel(2)) {
            for (Parallel parallel : new Parallel[] {new Parallel(1), workers}) {
                PermutohedralLattice updated = new PermutohedralLattice(5);
                updated.init(before, n, parallel);
                int linked = updated.vertices();
                updated.update(after, changed, changed.length, parallel);
                assertTrue(updated.vertices() > linked, "the update added vertices, so some corners were looked up");
                for (int p = 0; p < n; p++) {
                    for (int k = 0; k <= 5; k++) {
                        assertArrayEquals(fresh.cornerKey(p, k), updated.cornerKey(p, k),
                                parallel.workers() + " worker(s), point " + p + ", corner " + k);
                        assertEquals(fresh.cornerWeight(p, k), updated.cornerWeight(p, k));
                    }
                }
            }
        }
    }

    /**
     * A one-hot point is splatted into its one channel only and not sliced: the other points'
     * results are those of the plain filter with the one-hot points' values written out, and the
     * one-hot points' outputs keep what they held; a next filter of the same one-hot points (same
     * stamp) reuses their splat and gives the same results.
     */
    @Test
    void oneHotPointsFilterAsTheirValuesWould() {
        int n = W * H;
        int channels = 3;
        float[] in = new float[n * channels];
        float[] scale = new float[n];
        byte[] oneHot = new byte[n];
        Random random = new Random(5);
        for (int p = 0; p < n; p++) {
            scale[p] = 0.5f + random.nextFloat();
            oneHot[p] = (byte) (p % 3 == 0 ? random.nextInt(channels) : -1);
            for (int c = 0; c < channels; c++) {
                in[p * channels + c] = oneHot[p] < 0 ? random.nextFloat() : c == oneHot[p] ? 1f : 0f;
            }
        }
        PermutohedralLattice lattice = new PermutohedralLattice(5);
        lattice.init(features(1), n);
        try (Parallel workers = new Parallel(2)) {
            float[] plain = new float[n * channels];
            lattice.filter(in, scale, plain, 2f, false, channels, workers);
            float[] sparse = new float[n * channels];
            java.util.Arrays.fill(sparse, -7f);
            long stamp = PermutohedralLattice.newStamp();
            lattice.filter(in, scale, sparse, 2f, false, channels, oneHot, stamp, workers);
            // A second call with the same stamp starts from the one-hot points' splat the first one kept.
            float[] again = sparse.clone();
            lattice.filter(in, scale, again, 2f, false, channels, oneHot, stamp, workers);
            assertArrayEquals(sparse, again, "the kept one-hot splat");
            for (int p = 0; p < n; p++) {
                for (int c = 0; c < channels; c++) {
                    int i = p * channels + c;
                    if (oneHot[p] >= 0) {
                        assertEquals(-7f, sparse[i], "a one-hot point's output is left alone");
                    } else {
                        assertEquals(plain[i], sparse[i], 1e-5f * Math.abs(plain[i]), "point " + p + ", channel " + c);
                    }
                }
            }
        }
    }

    /**
     * Points with live channels (zero elsewhere) filter as the plain filter does, bit for bit in
     * their live channels, on one worker and two; their other outputs, and the one-hot points',
     * keep what they held; with 21 channels (three of the plain filter's channel groups).
     */
    @Test
    void pointsFilterTheirLiveChannelsAsThePlainFilterDoes() {
        int n = W * H;
        int channels = 21;
        float[] in = new float[n * channels];
        float[] scale = new float[n];
        byte[] oneHot = new byte[n];
        long[] live = new long[n];
        Random random = new Random(9);
        for (int p = 0; p < n; p++) {
            scale[p] = 0.5f + random.nextFloat();
            oneHot[p] = (byte) (p % 4 == 0 ? random.nextInt(channels) : -1);
            live[p] = oneHot[p] >= 0 ? 1L << oneHot[p] : random.nextLong() & ((1L << channels) - 1) | 1L << (p % channels);
            for (int c = 0; c < channels; c++) {
                in[p * channels + c] = (live[p] >>> c & 1L) == 0 ? 0f : oneHot[p] >= 0 ? 1f : random.nextFloat();
            }
        }
        PermutohedralLattice lattice = new PermutohedralLattice(5);
        lattice.init(features(1), n);
        try (Parallel two = new Parallel(2); Parallel one = new Parallel(1)) {
            for (Parallel workers : new Parallel[] {one, two}) {
                float[] plain = new float[n * channels];
                lattice.filter(in, scale, plain, 2f, false, channels, oneHot, PermutohedralLattice.newStamp(), workers);
                float[] sparse = new float[n * channels];
                java.util.Arrays.fill(sparse, -7f);
                lattice.filter(in, scale, sparse, 2f, false, channels, oneHot, PermutohedralLattice.newStamp(), live,
                        workers);
                int compared = 0;
                for (int p = 0; p < n; p++) {
                    for (int c = 0; c < channels; c++) {
                        int i = p * channels + c;
                        if (oneHot[p] < 0 && (live[p] >>> c & 1L) != 0) {
                            assertEquals(plain[i], sparse[i], "point " + p + ", channel " + c);
                            compared++;
                        } else {
                            assertEquals(-7f, sparse[i], "a dead channel's or one-hot point's output is left alone");
                        }
                    }
                }
                assertEquals(true, compared > n * channels / 4, "live outputs compared: " + compared);
            }
        }
    }

    /** The normalisation is the inverse root of the filter of ones, bit for bit, on one worker and two. */
    @Test
    void normalisationIsTheInverseRootOfTheFilteredOnes() {
        int n = W * H;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        try (Parallel workers = new Parallel(2)) {
            for (Parallel parallel : new Parallel[] {new Parallel(1), workers}) {
                PermutohedralLattice lattice = new PermutohedralLattice(5);
                lattice.init(features(1), n, parallel);
                float[] filtered = new float[n];
                lattice.filter(ones, filtered, 1, parallel);
                float[] norm = new float[n];
                lattice.normalisation(norm, null, parallel);
                for (int p = 0; p < n; p++) {
                    assertEquals((float) (1.0 / Math.sqrt(filtered[p] + 1e-20)), norm[p], "point " + p);
                }
            }
        }
    }

    /**
     * The splat and the slice take channels eight at a time: 19 channels (8 + 8 + 3) filtered
     * together are each channel filtered alone, bit for bit (each channel's sums run in the same
     * order either way).
     */
    @Test
    void manyChannelsFilterAsEachChannelAlone() {
        int n = W * H;
        int channels = 19;
        float[] in = new float[n * channels];
        Random random = new Random(11);
        for (int i = 0; i < in.length; i++) {
            in[i] = random.nextFloat();
        }
        PermutohedralLattice lattice = new PermutohedralLattice(5);
        lattice.init(features(1), n);
        float[] together = new float[n * channels];
        lattice.filter(in, together, channels);
        float[] one = new float[n];
        float[] alone = new float[n];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < n; p++) {
                one[p] = in[p * channels + c];
            }
            lattice.filter(one, alone, 1);
            for (int p = 0; p < n; p++) {
                assertEquals(alone[p], together[p * channels + c], "channel " + c + ", point " + p);
            }
        }
    }
}
