package io.segstream.crf;

import java.util.Arrays;

/**
 * Gaussian filtering in linear time on the permutohedral lattice (Adams, Baek and Davis,
 * "Fast High-Dimensional Filtering Using the Permutohedral Lattice", Eurographics 2010), in the
 * form Kraehenbuehl's dense CRF uses: points are embedded in a d-dimensional feature space scaled
 * so that the filter approximates {@code exp(-|f_i - f_j|^2 / 2)}; each point is splatted onto
 * the d+1 vertices of its enclosing simplex with barycentric weights, values are blurred with
 * [1 2 1] along each of the d+1 lattice directions, and sliced back.
 *
 * <p>{@link #init} builds the lattice for one set of points (one frame); {@link #filter} can then
 * run any number of times (once per mean-field iteration). All storage is primitive arrays, kept
 * and regrown only when a larger frame arrives; nothing is allocated per filter call.
 */
public final class PermutohedralLattice {
    private final int d;
    private final float[] scale;
    private final int[] canonical;

    private int points;
    private int vertices;
    private int[] offsets = new int[0];      // points x (d+1): vertex index of each simplex corner
    private float[] weights = new float[0];  // points x (d+1): barycentric weight of each corner
    private int[] neighbours = new int[0];   // (d+1) x vertices x 2: vertex before and after along each direction
    private int[] keys = new int[0];         // vertices x d
    private int[] table = new int[0];        // open addressing: vertex index + 1, 0 = empty
    private float[] values = new float[0];
    private float[] scratch = new float[0];
    private float[][] partials = new float[0][];

    // per-point work arrays (d+1 long), reused
    private final float[] elevated;
    private final int[] rem0;
    private final int[] rank;
    private final float[] bary;
    private final int[] key;

    public PermutohedralLattice(int dimensions) {
        if (dimensions < 1 || dimensions > 16) {
            throw new IllegalArgumentException("feature dimensions must be 1..16, were " + dimensions);
        }
        d = dimensions;
        scale = new float[d];
        double invStdDev = Math.sqrt(2.0 / 3.0) * (d + 1);
        for (int i = 0; i < d; i++) {
            scale[i] = (float) (invStdDev / Math.sqrt((i + 1.0) * (i + 2.0)));
        }
        canonical = new int[(d + 1) * (d + 1)];
        for (int i = 0; i <= d; i++) {
            for (int j = 0; j <= d - i; j++) {
                canonical[i * (d + 1) + j] = i;
            }
            for (int j = d - i + 1; j <= d; j++) {
                canonical[i * (d + 1) + j] = i - (d + 1);
            }
        }
        elevated = new float[d + 1];
        rem0 = new int[d + 1];
        rank = new int[d + 1];
        bary = new float[d + 2];
        key = new int[d];
    }

    /** Feature dimensions. */
    public int dimensions() {
        return d;
    }

    /** Lattice vertices of the last {@link #init}, for statistics. */
    public int vertices() {
        return vertices;
    }

    /**
     * Builds the lattice for {@code n} points whose features (already divided by their Gaussian
     * widths) are {@code features[i * d .. i * d + d)}.
     */
    public void init(float[] features, int n) {
        points = n;
        int stride = d + 1;
        if (offsets.length < n * stride) {
            offsets = new int[n * stride];
            weights = new float[n * stride];
        }
        int capacity = Integer.highestOneBit(Math.max(16, n * stride / 2)) * 4;
        if (table.length != capacity) {
            table = new int[capacity];
            keys = new int[(capacity / 2 + 1) * d];
        } else {
            Arrays.fill(table, 0);
        }
        vertices = 0;
        float down = 1f / (d + 1);
        for (int p = 0; p < n; p++) {
            // Elevate onto the hyperplane H_d (coordinates sum to zero).
            float sm = 0;
            for (int j = d; j > 0; j--) {
                float cf = features[p * d + j - 1] * scale[j - 1];
                elevated[j] = sm - j * cf;
                sm += cf;
            }
            elevated[0] = sm;
            // Nearest remainder-0 point, then the rank (sort order) of the differences.
            int sum = 0;
            for (int i = 0; i <= d; i++) {
                float v = down * elevated[i];
                int up = (int) Math.ceil(v) * (d + 1);
                int dn = (int) Math.floor(v) * (d + 1);
                rem0[i] = up - elevated[i] < elevated[i] - dn ? up : dn;
                sum += rem0[i];
            }
            sum /= d + 1;
            Arrays.fill(rank, 0);
            for (int i = 0; i < d; i++) {
                float di = elevated[i] - rem0[i];
                for (int j = i + 1; j <= d; j++) {
                    if (di < elevated[j] - rem0[j]) {
                        rank[i]++;
                    } else {
                        rank[j]++;
                    }
                }
            }
            if (sum > 0) {
                for (int i = 0; i <= d; i++) {
                    if (rank[i] >= d + 1 - sum) {
                        rem0[i] -= d + 1;
                        rank[i] += sum - (d + 1);
                    } else {
                        rank[i] += sum;
                    }
                }
            } else if (sum < 0) {
                for (int i = 0; i <= d; i++) {
                    if (rank[i] < -sum) {
                        rem0[i] += d + 1;
                        rank[i] += d + 1 + sum;
                    } else {
                        rank[i] += sum;
                    }
                }
            }
            // Barycentric coordinates of the point in its simplex.
            Arrays.fill(bary, 0f);
            for (int i = 0; i <= d; i++) {
                float v = (elevated[i] - rem0[i]) * down;
                bary[d - rank[i]] += v;
                bary[d + 1 - rank[i]] -= v;
            }
            bary[0] += 1f + bary[d + 1];
            // The simplex's d+1 vertices: remainder-k points, found or added in the hash table.
            for (int k = 0; k <= d; k++) {
                for (int i = 0; i < d; i++) {
                    key[i] = rem0[i] + canonical[k * (d + 1) + rank[i]];
                }
                offsets[p * stride + k] = findOrInsert(key, true);
                weights[p * stride + k] = bary[k];
            }
        }
        buildNeighbours();
    }

    private void buildNeighbours() {
        int stride = d + 1;
        if (neighbours.length < stride * vertices * 2) {
            neighbours = new int[stride * vertices * 2];
        }
        int[] n1 = new int[d];
        int[] n2 = new int[d];
        for (int j = 0; j <= d; j++) {
            for (int v = 0; v < vertices; v++) {
                int base = v * d;
                for (int k = 0; k < d; k++) {
                    n1[k] = keys[base + k] - 1;
                    n2[k] = keys[base + k] + 1;
                }
                if (j < d) {
                    n1[j] = keys[base + j] + d;
                    n2[j] = keys[base + j] - d;
                }
                int o = (j * vertices + v) * 2;
                neighbours[o] = findOrInsert(n1, false);
                neighbours[o + 1] = findOrInsert(n2, false);
            }
        }
    }

    /** Vertex index of {@code k}, inserting it when asked; -1 when absent and not inserted. */
    private int findOrInsert(int[] k, boolean insert) {
        int h = 0;
        for (int i = 0; i < d; i++) {
            h = (h + k[i]) * 2531011;
        }
        int mask = table.length - 1;
        int slot = (h ^ (h >>> 15)) & mask;
        while (true) {
            int entry = table[slot];
            if (entry == 0) {
                if (!insert) {
                    return -1;
                }
                if (vertices * d + d > keys.length) {
                    keys = Arrays.copyOf(keys, keys.length * 2);
                }
                System.arraycopy(k, 0, keys, vertices * d, d);
                table[slot] = vertices + 1;
                if (++vertices * 2 > table.length) {
                    rehash();
                }
                return vertices - 1;
            }
            int base = (entry - 1) * d;
            boolean same = true;
            for (int i = 0; i < d && same; i++) {
                same = keys[base + i] == k[i];
            }
            if (same) {
                return entry - 1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private void rehash() {
        int[] old = table;
        table = new int[old.length * 2];
        int mask = table.length - 1;
        for (int entry : old) {
            if (entry == 0) {
                continue;
            }
            int h = 0;
            int base = (entry - 1) * d;
            for (int i = 0; i < d; i++) {
                h = (h + keys[base + i]) * 2531011;
            }
            int slot = (h ^ (h >>> 15)) & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = entry;
        }
    }

    /**
     * {@code out[i] = sum_j k(f_i, f_j) in[j]} (approximately, including j = i), for
     * {@code channels} values per point laid out {@code [point][channel]}.
     */
    public void filter(float[] in, float[] out, int channels) {
        filter(in, out, channels, SERIAL);
    }

    private static final Parallel SERIAL = new Parallel(1);

    /** {@link #filter(float[], float[], int)} with its passes split across {@code parallel}'s workers. */
    void filter(float[] in, float[] out, int channels, Parallel parallel) {
        int stride = d + 1;
        int size = (vertices + 1) * channels; // slot 0 is the absent neighbour: always zero
        int workers = parallel.workers();
        if (values.length < size) {
            values = new float[size];
            scratch = new float[size];
        }
        if (partials.length < workers - 1 || (workers > 1 && partials[0].length < size)) {
            partials = new float[workers - 1][size];
        }
        // Splat: each worker into its own buffer (worker 0 into values), then summed.
        parallel.forRange(points, (from, to, worker) -> {
            float[] target = worker == 0 ? values : partials[worker - 1];
            java.util.Arrays.fill(target, 0, size, 0f);
            for (int p = from; p < to; p++) {
                int src = p * channels;
                for (int k = 0; k <= d; k++) {
                    int dst = (offsets[p * stride + k] + 1) * channels;
                    float w = weights[p * stride + k];
                    for (int c = 0; c < channels; c++) {
                        target[dst + c] += w * in[src + c];
                    }
                }
            }
        });
        if (workers > 1 && points >= 4096) {
            parallel.forRange(size, (from, to, worker) -> {
                for (float[] partial : partials) {
                    for (int i = from; i < to; i++) {
                        values[i] += partial[i];
                    }
                }
            });
        }
        float[][] buffers = {values, scratch};
        Arrays.fill(scratch, 0, channels, 0f);
        for (int j = 0; j <= d; j++) {
            float[] a = buffers[j & 1];
            float[] b = buffers[(j + 1) & 1];
            int dir = j;
            parallel.forRange(vertices, (from, to, worker) -> {
                for (int v = from; v < to; v++) {
                    int o = (dir * vertices + v) * 2;
                    int self = (v + 1) * channels;
                    int before = (neighbours[o] + 1) * channels;
                    int after = (neighbours[o + 1] + 1) * channels;
                    for (int c = 0; c < channels; c++) {
                        b[self + c] = a[self + c] + 0.5f * (a[before + c] + a[after + c]);
                    }
                }
            });
        }
        float[] blurred = buffers[(d + 1) & 1];
        float alpha = 1f / (1f + (float) Math.pow(2, -d));
        parallel.forRange(points, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                int dst = p * channels;
                for (int c = 0; c < channels; c++) {
                    out[dst + c] = 0f;
                }
                for (int k = 0; k <= d; k++) {
                    int src = (offsets[p * stride + k] + 1) * channels;
                    float w = weights[p * stride + k] * alpha;
                    for (int c = 0; c < channels; c++) {
                        out[dst + c] += w * blurred[src + c];
                    }
                }
            }
        });
    }
}
