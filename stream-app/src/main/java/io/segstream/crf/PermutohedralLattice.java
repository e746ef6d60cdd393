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
    private int builtVertices;
    private int[] offsets = new int[0];      // points x (d+1): vertex index of each simplex corner
    private float[] weights = new float[0];  // points x (d+1): barycentric weight of each corner
    private int[][] neighbours;              // per direction, vertices x 2: vertex before and after
    private int[] keys = new int[0];         // vertices x d
    private int[] table = new int[0];        // open addressing, per slot: vertex index + 1 (0 = empty), key hash
    private float[] values = new float[0];
    private float[] scratch = new float[0];
    private float[][] partials = new float[0][];

    // per-point work arrays (d+1 long), reused
    private final float[] elevated;
    private final int[] rem0;
    private final int[] rank;
    private final float[] bary;
    private final int[] key;
    private final int[] n1;                  // neighbour keys, reused
    private final int[] n2;
    private final int[] hashMultipliers;
    private final int[] lastRem0;            // the previous point's simplex
    private final int[] lastRank;
    private boolean previousSimplex;
    private int lastPoint;

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
        neighbours = new int[d + 1][0];
        n1 = new int[d];
        n2 = new int[d];
        lastRem0 = new int[d + 1];
        hashMultipliers = new int[d];
        for (int i = d - 1, m = 2531011; i >= 0; i--, m *= 2531011) {
            hashMultipliers[i] = m;
        }
        lastRank = new int[d + 1];
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
        // Sized for the last build's vertices, not the points: a frame has far fewer vertices than
        // pixels (8,006 for 307,200 at 640x480), and a table that fits in cache is what makes
        // insertion fast. It grows by rehashing when needed.
        int capacity = Integer.highestOneBit(Math.max(1024, builtVertices)) * 4; // slots, two ints each
        if (table.length != 2 * capacity) {
            table = new int[2 * capacity];
            keys = new int[(capacity / 2 + 1) * d];
        } else {
            Arrays.fill(table, 0);
        }
        vertices = 0;
        previousSimplex = false;
        for (int p = 0; p < n; p++) {
            embed(features, p);
        }
        linkNeighbours(0);
        builtVertices = vertices;
    }

    /**
     * Re-embeds only the points listed in {@code changed} (their features changed since the last
     * {@link #init} or update; every other point must have exactly its old features). Vertices the
     * changed points need are added; vertices no point uses any more stay, holding nothing but
     * passing blurred values on as lattice points between others do, so the filter stays a
     * permutohedral approximation of the same Gaussian (tested against a fresh build).
     */
    public void update(float[] features, int[] changed, int count) {
        int from = vertices;
        previousSimplex = false;
        for (int i = 0; i < count; i++) {
            embed(features, changed[i]);
        }
        linkNeighbours(from);
    }

    /** Vertices now over vertices after the last full {@link #init}: what updates have added. */
    public float growth() {
        return builtVertices == 0 ? Float.POSITIVE_INFINITY : (float) vertices / builtVertices;
    }

    /** Finds the simplex enclosing point {@code p}: its corners' vertices and barycentric weights. */
    private void embed(float[] features, int p) {
        int stride = d + 1;
        float down = 1f / (d + 1);
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
            // the multiple of d+1 nearest to elevated[i] (ties down), without Math.floor/ceil
            float v = down * elevated[i];
            int fl = (int) v;
            if (v < fl) {
                fl--;
            }
            int r = (v - fl > 0.5f ? fl + 1 : fl) * (d + 1);
            rem0[i] = r;
            sum += r;
        }
        sum /= d + 1;
        Arrays.fill(rank, 0);
        for (int i = 0; i < d; i++) {
            float di = elevated[i] - rem0[i];
            for (int j = i + 1; j <= d; j++) {
                int before = di < elevated[j] - rem0[j] ? 1 : 0; // branch-free: the order is data, not pattern
                rank[i] += before;
                rank[j] += 1 - before;
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
        // The simplex's d+1 vertices: remainder-k points, found or added in the hash table; the
        // same as the previous point's when both lie in one simplex (neighbouring pixels of a
        // flat region can), which saves the d+1 lookups.
        int o = p * stride;
        if (previousSimplex && Arrays.equals(rem0, lastRem0) && Arrays.equals(rank, lastRank)) {
            System.arraycopy(offsets, lastPoint * stride, offsets, o, stride);
            System.arraycopy(bary, 0, weights, o, stride);
            lastPoint = p;
            return;
        }
        System.arraycopy(rem0, 0, lastRem0, 0, stride);
        System.arraycopy(rank, 0, lastRank, 0, stride);
        previousSimplex = true;
        lastPoint = p;
        for (int k = 0; k <= d; k++) {
            for (int i = 0; i < d; i++) {
                key[i] = rem0[i] + canonical[k * (d + 1) + rank[i]];
            }
            offsets[p * stride + k] = findOrInsert(key, true);
            weights[p * stride + k] = bary[k];
        }
    }

    /**
     * The splat for up to 8 channels (a CRF frame rarely keeps more labels): a point's values are
     * loaded once into locals and reused for its d+1 corners, instead of re-read from the array
     * for each corner (the JIT cannot prove that the stores into {@code target} leave {@code in}
     * alone). The channel tests are the same for every point, so they predict perfectly.
     */
    private void splatFew(int from, int to, float[] target, float[] in, float[] scale, int channels) {
        int stride = d + 1;
        for (int p = from; p < to; p++) {
            int src = p * channels;
            float s = scale == null ? 1f : scale[p];
            float v0 = in[src] * s;
            float v1 = channels > 1 ? in[src + 1] * s : 0f;
            float v2 = channels > 2 ? in[src + 2] * s : 0f;
            float v3 = channels > 3 ? in[src + 3] * s : 0f;
            float v4 = channels > 4 ? in[src + 4] * s : 0f;
            float v5 = channels > 5 ? in[src + 5] * s : 0f;
            float v6 = channels > 6 ? in[src + 6] * s : 0f;
            float v7 = channels > 7 ? in[src + 7] * s : 0f;
            int o = p * stride;
            for (int k = 0; k <= d; k++) {
                int dst = (offsets[o + k] + 1) * channels;
                float w = weights[o + k];
                target[dst] += w * v0;
                if (channels > 1) {
                    target[dst + 1] += w * v1;
                    if (channels > 2) {
                        target[dst + 2] += w * v2;
                        if (channels > 3) {
                            target[dst + 3] += w * v3;
                            if (channels > 4) {
                                target[dst + 4] += w * v4;
                                if (channels > 5) {
                                    target[dst + 5] += w * v5;
                                    if (channels > 6) {
                                        target[dst + 6] += w * v6;
                                        if (channels > 7) {
                                            target[dst + 7] += w * v7;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The slice for up to 8 channels: a point's sums over its corners stay in locals and are
     * written once, instead of d+1 read-modify-writes of {@code out}.
     */
    private void sliceFew(int from, int to, float[] blurred, float[] scale, float[] out, float gain,
            boolean accumulate, int channels) {
        int stride = d + 1;
        for (int p = from; p < to; p++) {
            float a0 = 0f;
            float a1 = 0f;
            float a2 = 0f;
            float a3 = 0f;
            float a4 = 0f;
            float a5 = 0f;
            float a6 = 0f;
            float a7 = 0f;
            int o = p * stride;
            for (int k = 0; k <= d; k++) {
                int src = (offsets[o + k] + 1) * channels;
                float w = weights[o + k];
                a0 += w * blurred[src];
                if (channels > 1) {
                    a1 += w * blurred[src + 1];
                    if (channels > 2) {
                        a2 += w * blurred[src + 2];
                        if (channels > 3) {
                            a3 += w * blurred[src + 3];
                            if (channels > 4) {
                                a4 += w * blurred[src + 4];
                                if (channels > 5) {
                                    a5 += w * blurred[src + 5];
                                    if (channels > 6) {
                                        a6 += w * blurred[src + 6];
                                        if (channels > 7) {
                                            a7 += w * blurred[src + 7];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            float s = (scale == null ? 1f : scale[p]) * gain;
            int dst = p * channels;
            out[dst] = (accumulate ? out[dst] : 0f) + s * a0;
            if (channels > 1) {
                out[dst + 1] = (accumulate ? out[dst + 1] : 0f) + s * a1;
            }
            if (channels > 2) {
                out[dst + 2] = (accumulate ? out[dst + 2] : 0f) + s * a2;
            }
            if (channels > 3) {
                out[dst + 3] = (accumulate ? out[dst + 3] : 0f) + s * a3;
            }
            if (channels > 4) {
                out[dst + 4] = (accumulate ? out[dst + 4] : 0f) + s * a4;
            }
            if (channels > 5) {
                out[dst + 5] = (accumulate ? out[dst + 5] : 0f) + s * a5;
            }
            if (channels > 6) {
                out[dst + 6] = (accumulate ? out[dst + 6] : 0f) + s * a6;
            }
            if (channels > 7) {
                out[dst + 7] = (accumulate ? out[dst + 7] : 0f) + s * a7;
            }
        }
    }

    /**
     * Links vertices {@code from..vertices} to their neighbours along each lattice direction, and
     * older vertices to them (lattice neighbours are mutual: if u is v's predecessor along a
     * direction, v is u's successor).
     */
    private void linkNeighbours(int from) {
        for (int j = 0; j <= d; j++) {
            if (neighbours[j].length < vertices * 2) {
                neighbours[j] = Arrays.copyOf(neighbours[j], Math.max(vertices * 2, neighbours[j].length * 3 / 2));
            }
        }
        for (int v = from; v < vertices; v++) {
            int base = v * d;
            for (int j = 0; j <= d; j++) {
                for (int k = 0; k < d; k++) {
                    n1[k] = keys[base + k] - 1;
                    n2[k] = keys[base + k] + 1;
                }
                if (j < d) {
                    n1[j] = keys[base + j] + d;
                    n2[j] = keys[base + j] - d;
                }
                int before = findOrInsert(n1, false);
                int after = findOrInsert(n2, false);
                int[] links = neighbours[j];
                links[2 * v] = before;
                links[2 * v + 1] = after;
                if (before >= 0 && before < from) {
                    links[2 * before + 1] = v;
                }
                if (after >= 0 && after < from) {
                    links[2 * after] = v;
                }
            }
        }
    }

    /** Vertex index of {@code k}, inserting it when asked; -1 when absent and not inserted. */
    private int findOrInsert(int[] k, boolean insert) {
        int h = hash(k, 0);
        int mask = (table.length >> 1) - 1;
        int slot = (h ^ (h >>> 15)) & mask;
        while (true) {
            int entry = table[2 * slot];
            if (entry == 0) {
                if (!insert) {
                    return -1;
                }
                if (vertices * d + d > keys.length) {
                    keys = Arrays.copyOf(keys, keys.length * 2);
                }
                System.arraycopy(k, 0, keys, vertices * d, d);
                table[2 * slot] = vertices + 1;
                table[2 * slot + 1] = h;
                if (++vertices * 4 > table.length) {
                    rehash();
                }
                return vertices - 1;
            }
            // The slot's stored hash sits beside its entry: a different key is rejected without
            // touching the key array.
            if (table[2 * slot + 1] == h) {
                int base = (entry - 1) * d;
                boolean same = true;
                for (int i = 0; i < d && same; i++) {
                    same = keys[base + i] == k[i];
                }
                if (same) {
                    return entry - 1;
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /** The key's hash: sum of its coordinates times fixed odd multipliers (independent multiplies). */
    private int hash(int[] k, int from) {
        int h = 0;
        for (int i = 0; i < d; i++) {
            h += k[from + i] * hashMultipliers[i];
        }
        return h;
    }

    private void rehash() {
        int[] old = table;
        table = new int[old.length * 2];
        int mask = (table.length >> 1) - 1;
        for (int s = 0; s < old.length; s += 2) {
            if (old[s] == 0) {
                continue;
            }
            int h = old[s + 1];
            int slot = (h ^ (h >>> 15)) & mask;
            while (table[2 * slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[2 * slot] = old[s];
            table[2 * slot + 1] = h;
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
        filter(in, null, out, 1f, false, channels, parallel);
    }

    /**
     * {@code out[i] (+)= weight * scale[i] * sum_j k(f_i, f_j) scale[j] in[j]}: the filter with a
     * per-point scale applied on the way in and out (the CRF's symmetric normalisation) and the
     * result added to {@code out} when {@code accumulate}, so the caller needs no passes of its own.
     *
     * @param scale per-point scale, or null for none
     */
    void filter(float[] in, float[] scale, float[] out, float weight, boolean accumulate, int channels,
            Parallel parallel) {
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
            if (channels <= 8) {
                splatFew(from, to, target, in, scale, channels);
                return;
            }
            for (int p = from; p < to; p++) {
                int src = p * channels;
                float s = scale == null ? 1f : scale[p];
                for (int k = 0; k <= d; k++) {
                    int dst = (offsets[p * stride + k] + 1) * channels;
                    float w = weights[p * stride + k] * s;
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
            int[] links = neighbours[j];
            parallel.forRange(vertices, (from, to, worker) -> {
                for (int v = from; v < to; v++) {
                    int self = (v + 1) * channels;
                    int before = (links[2 * v] + 1) * channels;
                    int after = (links[2 * v + 1] + 1) * channels;
                    for (int c = 0; c < channels; c++) {
                        b[self + c] = a[self + c] + 0.5f * (a[before + c] + a[after + c]);
                    }
                }
            });
        }
        float[] blurred = buffers[(d + 1) & 1];
        float alpha = 1f / (1f + (float) Math.pow(2, -d));
        parallel.forRange(points, (from, to, worker) -> {
            if (channels <= 8) {
                sliceFew(from, to, blurred, scale, out, weight * alpha, accumulate, channels);
                return;
            }
            for (int p = from; p < to; p++) {
                int dst = p * channels;
                if (!accumulate) {
                    for (int c = 0; c < channels; c++) {
                        out[dst + c] = 0f;
                    }
                }
                float s = (scale == null ? 1f : scale[p]) * weight * alpha;
                for (int k = 0; k <= d; k++) {
                    int src = (offsets[p * stride + k] + 1) * channels;
                    float w = weights[p * stride + k] * s;
                    for (int c = 0; c < channels; c++) {
                        out[dst + c] += w * blurred[src + c];
                    }
                }
            }
        });
    }
}
