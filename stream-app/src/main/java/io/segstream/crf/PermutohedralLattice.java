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
    private final int[] hashMultipliers;

    private int points;
    private int builtVertices;
    private int[] offsets = new int[0];      // points x (d+1): vertex index of each simplex corner
    private float[] weights = new float[0];  // points x (d+1): barycentric weight of each corner
    private int[][] neighbours;              // per direction, vertices x 2: vertex before and after
    private final VertexTable table;
    private Embedder[] embedders;            // one per build worker; worker 0 inserts into table
    private Embedder[] updaters = new Embedder[0]; // one per update worker: reads table, inserts into its own
    private int[][] renumbering = new int[0][];
    private float[] values = new float[0];
    private float[] scratch = new float[0];
    private float[][] partials = new float[0][];
    private float[] oneHotValues = new float[0]; // the splat of the one-hot points of stamp oneHotStamp
    private long oneHotStamp;                    // 0: none (stamps start at 1)
    private int oneHotSize = -1;
    private final int[] n1;                  // neighbour keys, reused
    private final int[] n2;

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
        neighbours = new int[d + 1][0];
        n1 = new int[d];
        n2 = new int[d];
        hashMultipliers = new int[d];
        for (int i = d - 1, m = 2531011; i >= 0; i--, m *= 2531011) {
            hashMultipliers[i] = m;
        }
        table = new VertexTable(d, hashMultipliers);
        embedders = new Embedder[] {new Embedder(d, scale, canonical, table)};
    }

    /** Feature dimensions. */
    public int dimensions() {
        return d;
    }

    /** Lattice vertices of the last {@link #init}, for statistics. */
    public int vertices() {
        return table.count;
    }

    /**
     * Builds the lattice for {@code n} points whose features (already divided by their Gaussian
     * widths) are {@code features[i * d .. i * d + d)}.
     */
    public void init(float[] features, int n) {
        init(features, n, SERIAL);
    }

    /**
     * {@link #init(float[], int)} with the points split across {@code parallel}'s workers: each
     * embeds its range into a vertex table of its own (worker 0 into the lattice's), then the
     * other workers' vertices are merged into the lattice's table (a few thousand lookups against
     * the hundreds of thousands the embedding made) and their points' corners renumbered.
     */
    void init(float[] features, int n, Parallel parallel) {
        points = n;
        int stride = d + 1;
        if (offsets.length < n * stride) {
            offsets = new int[n * stride];
            weights = new float[n * stride];
        }
        int workers = parallel.workers();
        if (embedders.length < workers) {
            embedders = Arrays.copyOf(embedders, workers);
            renumbering = Arrays.copyOf(renumbering, workers);
            for (int w = 1; w < workers; w++) {
                if (embedders[w] == null) {
                    embedders[w] = new Embedder(d, scale, canonical, new VertexTable(d, hashMultipliers));
                    renumbering[w] = new int[0];
                }
            }
        }
        for (int w = 0; w < workers; w++) {
            // Sized for the last build's vertices, not the points: a frame has far fewer vertices
            // than pixels (8,006 for 307,200 at 640x480), and a table that fits in cache is what
            // makes insertion fast. It grows by rehashing when needed.
            embedders[w].table.clear(builtVertices);
            embedders[w].forgetSimplices();
        }
        parallel.forRange(n, (from, to, worker) -> {
            Embedder embedder = embedders[worker];
            for (int p = from; p < to; p++) {
                embedder.embed(features, p, offsets, weights);
            }
        });
        for (int w = 1; w < workers; w++) {
            merge(embedders[w].table, w);
        }
        // The same n and workers split the points into the same ranges as the embedding did.
        parallel.forRange(n, (from, to, worker) -> {
            if (worker == 0) {
                return;
            }
            int[] global = renumbering[worker];
            for (int i = from * stride; i < to * stride; i++) {
                offsets[i] = global[offsets[i]];
            }
        });
        linkNeighbours(0);
        builtVertices = table.count;
    }

    /**
     * Re-embeds only the points listed in {@code changed} (their features changed since the last
     * {@link #init} or update; every other point must have exactly its old features). Vertices the
     * changed points need are added; vertices no point uses any more stay, holding nothing but
     * passing blurred values on as lattice points between others do, so the filter stays a
     * permutohedral approximation of the same Gaussian (tested against a fresh build).
     */
    public void update(float[] features, int[] changed, int count) {
        update(features, changed, count, SERIAL);
    }

    /**
     * {@link #update(float[], int[], int)} with the points split across {@code parallel}'s workers.
     * While they embed, the lattice's table is only read: each worker looks a vertex up there and,
     * when it is new, in a table of its own, marking the corner with {@code -2 - its index}; the
     * new vertices are then added to the lattice's table in worker order (a few hundred, against
     * the tens of thousands of lookups) and the marked corners renumbered.
     */
    void update(float[] features, int[] changed, int count, Parallel parallel) {
        int from = table.count;
        int workers = parallel.workers();
        if (workers == 1 || count < 4096) {
            Embedder embedder = embedders[0];
            embedder.follow(neighbours, from);
            for (int i = 0; i < count; i++) {
                embedder.embed(features, changed[i], offsets, weights);
            }
            embedder.follow(null, 0);
            linkNeighbours(from);
            return;
        }
        if (updaters.length < workers) {
            updaters = Arrays.copyOf(updaters, workers);
            for (int w = 0; w < workers; w++) {
                if (updaters[w] == null) {
                    updaters[w] = new Embedder(d, scale, canonical, new VertexTable(d, hashMultipliers));
                    updaters[w].shared = table;
                }
            }
            renumbering = Arrays.copyOf(renumbering, Math.max(renumbering.length, workers));
        }
        for (int w = 0; w < workers; w++) {
            updaters[w].table.clear(0);
            updaters[w].forgetSimplices();
        }
        for (int w = 0; w < workers; w++) {
            updaters[w].follow(neighbours, from);
        }
        parallel.forRange(count, (a, b, worker) -> {
            Embedder embedder = updaters[worker];
            for (int i = a; i < b; i++) {
                embedder.embed(features, changed[i], offsets, weights);
            }
        });
        for (int w = 0; w < workers; w++) {
            merge(updaters[w].table, w);
        }
        int stride = d + 1;
        parallel.forRange(count, (a, b, worker) -> {
            int[] global = renumbering[worker];
            for (int i = a; i < b; i++) {
                int o = changed[i] * stride;
                for (int k = 0; k < stride; k++) {
                    int v = offsets[o + k];
                    if (v < 0) {
                        offsets[o + k] = global[-2 - v];
                    }
                }
            }
        });
        linkNeighbours(from);
    }

    /**
     * Adds a worker's own vertices to the lattice's table; {@code renumbering[worker]} then maps each
     * of them to its index there.
     */
    private void merge(VertexTable own, int worker) {
        int[] map = renumbering[worker];
        if (map == null || map.length < own.count) {
            map = new int[Math.max(own.count, map == null ? 16 : map.length * 3 / 2)];
            renumbering[worker] = map;
        }
        for (int v = 0; v < own.count; v++) {
            map[v] = table.findOrAdd(own.keys, v * d);
        }
    }

    /** The key of point {@code p}'s corner {@code k}, d coordinates (for tests). */
    int[] cornerKey(int p, int k) {
        return Arrays.copyOfRange(table.keys, offsets[p * (d + 1) + k] * d, offsets[p * (d + 1) + k] * d + d);
    }

    /** The barycentric weight of point {@code p}'s corner {@code k} (for tests). */
    float cornerWeight(int p, int k) {
        return weights[p * (d + 1) + k];
    }

    /** Vertices now over vertices after the last full {@link #init}: what updates have added. */
    public float growth() {
        return builtVertices == 0 ? Float.POSITIVE_INFINITY : (float) table.count / builtVertices;
    }

    /** Entries of each build worker's simplex cache (a power of two). */
    private static final int SIMPLEX_CACHE = 4096;

    /**
     * One build worker's embedding: its work arrays (d+1 long) and the vertex table it fills.
     * Static, with its own references to the lattice's constants: reaching them through an outer
     * instance made the single-threaded build 20% slower (40 -> 48-50 ms at 640x480).
     */

    private static final class Embedder {
        private final int d;
        private final float[] scale;
        private final int[] canonical;
        private final VertexTable table;
        private final float[] elevated;
        private final int[] rem0;
        private final int[] rank;
        private final float[] bary;
        private final int[] key;
        // Recently seen simplices and their vertices, direct-mapped by a hash of the simplex: a hit
        // saves the d+1 vertex lookups. On a 640x480 frame 88% of the points hit (80% with 1024
        // entries; 38% lie in the previous point's simplex), and the build takes 40 -> 29 ms on one
        // thread. Entries of an older generation are empty.
        private final int[] cachedRem0;
        private final int[] cachedRank;
        private final int[] cachedVertices;
        private final int[] cachedGeneration = new int[SIMPLEX_CACHE];
        private int generation = 1;
        /**
         * When set, vertices are looked up here first and only those it lacks go into {@code table},
         * marked {@code -2 - index} (an update's workers; nothing may add to it meanwhile).
         */
        private VertexTable shared;
        /**
         * The lattice's neighbour links, valid for its first {@code linked} vertices, or null: an
         * update finds a simplex's corners after the first by following them (see {@link #embed}).
         */
        private int[][] links;
        private int linked;
        private final int[] byRank;

        Embedder(int d, float[] scale, int[] canonical, VertexTable table) {
            this.d = d;
            this.scale = scale;
            this.canonical = canonical;
            this.table = table;
            elevated = new float[d + 1];
            rem0 = new int[d + 1];
            rank = new int[d + 1];
            bary = new float[d + 2];
            key = new int[d];
            byRank = new int[d + 1];
            cachedRem0 = new int[SIMPLEX_CACHE * (d + 1)];
            cachedRank = new int[SIMPLEX_CACHE * (d + 1)];
            cachedVertices = new int[SIMPLEX_CACHE * (d + 1)];
        }

        /**
         * Finds the simplex enclosing point {@code p}: its corners' vertices (in this embedder's
         * table) and barycentric weights.
         */
        void embed(float[] features, int p, int[] offsets, float[] weights) {
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
            int o = p * stride;
            System.arraycopy(bary, 0, weights, o, stride);
            // The simplex's d+1 vertices: from the cache, or remainder-k points found or added in
            // the hash table.
            int h = 0;
            for (int i = 0; i <= d; i++) {
                h = (h + rem0[i]) * 0x9E3779B1 + rank[i];
            }
            int entry = (h ^ (h >>> 16)) & (SIMPLEX_CACHE - 1);
            int c = entry * stride;
            if (cachedGeneration[entry] == generation && Arrays.equals(rem0, 0, stride, cachedRem0, c, c + stride)
                    && Arrays.equals(rank, 0, stride, cachedRank, c, c + stride)) {
                System.arraycopy(cachedVertices, c, offsets, o, stride);
                return;
            }
            // Corner k is corner k-1's successor along the direction of the coordinate ranked d+1-k
            // (its key is 1 higher in every coordinate but that one, d lower there): when corner k-1
            // is a linked vertex of the lattice, its link names corner k without a lookup.
            if (links != null) {
                for (int i = 0; i <= d; i++) {
                    byRank[rank[i]] = i;
                }
            }
            int previous = -1;
            for (int k = 0; k <= d; k++) {
                int found = previous >= 0 && previous < linked ? links[byRank[d + 1 - k]][2 * previous + 1] : -1;
                if (found < 0) {
                    for (int i = 0; i < d; i++) {
                        key[i] = rem0[i] + canonical[k * (d + 1) + rank[i]];
                    }
                    found = shared == null ? table.findOrAdd(key, 0) : shared.find(key, 0);
                    if (found < 0) {
                        found = -2 - table.findOrAdd(key, 0);
                    }
                }
                offsets[o + k] = found;
                previous = links == null ? -1 : found;
            }
            cachedGeneration[entry] = generation;
            System.arraycopy(rem0, 0, cachedRem0, c, stride);
            System.arraycopy(rank, 0, cachedRank, c, stride);
            System.arraycopy(offsets, o, cachedVertices, c, stride);
        }

        /** Follows {@code links} from the lattice's first {@code linked} vertices; null: looks every corner up. */
        void follow(int[][] links, int linked) {
            this.links = links;
            this.linked = linked;
        }

        /** Empties the simplex cache: its vertex indices are void once the table is cleared. */
        void forgetSimplices() {
            generation++;
        }
    }

    /**
     * The splat of each point's channels {@code first} to {@code first + count - 1}, {@code count}
     * at most {@value #FEW} (a pruned CRF frame rarely keeps more labels; more take several sweeps): a
     * point's values are loaded once into locals and reused for its d+1 corners, instead of re-read
     * from the array for each corner (the JIT cannot prove that the stores into {@code target} leave
     * {@code in} alone). The channel tests are the same for every point, so they predict perfectly.
     * With all 21 labels, one sweep over the points per group of eight is level with the plain loop
     * over the channels it replaced (0.95-1.03 of its time; JDK 17's JIT vectorises neither); one
     * sweep taking each point's groups in turn was level too, and slower with 8 channels or fewer
     * (benchmarks/RESULTS.md, "Second round").
     */
    private void splatFew(int from, int to, float[] target, float[] in, float[] scale, int channels, int first,
            int count, byte[] oneHot) {
        int stride = d + 1;
        for (int p = from; p < to; p++) {
            if (oneHot != null && oneHot[p] >= 0) {
                continue;
            }
            int src = p * channels + first;
            float s = scale == null ? 1f : scale[p];
            float v0 = in[src] * s;
            float v1 = count > 1 ? in[src + 1] * s : 0f;
            float v2 = count > 2 ? in[src + 2] * s : 0f;
            float v3 = count > 3 ? in[src + 3] * s : 0f;
            float v4 = count > 4 ? in[src + 4] * s : 0f;
            float v5 = count > 5 ? in[src + 5] * s : 0f;
            float v6 = count > 6 ? in[src + 6] * s : 0f;
            float v7 = count > 7 ? in[src + 7] * s : 0f;
            int o = p * stride;
            for (int k = 0; k <= d; k++) {
                int dst = (offsets[o + k] + 1) * channels + first;
                float w = weights[o + k];
                target[dst] += w * v0;
                if (count > 1) {
                    target[dst + 1] += w * v1;
                    if (count > 2) {
                        target[dst + 2] += w * v2;
                        if (count > 3) {
                            target[dst + 3] += w * v3;
                            if (count > 4) {
                                target[dst + 4] += w * v4;
                                if (count > 5) {
                                    target[dst + 5] += w * v5;
                                    if (count > 6) {
                                        target[dst + 6] += w * v6;
                                        if (count > 7) {
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
     * The splat of the points among {@code from..to} that are not one-hot, each in its live channels
     * alone (see {@link #filter(float[], float[], float[], float, boolean, int, byte[], long, long[], Parallel)}).
     */
    private void splatLive(int from, int to, float[] target, float[] in, float[] scale, int channels, byte[] oneHot,
            long[] live) {
        int stride = d + 1;
        for (int p = from; p < to; p++) {
            if (oneHot != null && oneHot[p] >= 0) {
                continue;
            }
            float s = scale == null ? 1f : scale[p];
            int src = p * channels;
            int o = p * stride;
            for (long m = live[p]; m != 0; m &= m - 1) {
                int c = Long.numberOfTrailingZeros(m);
                float v = in[src + c] * s;
                for (int k = 0; k <= d; k++) {
                    target[(offsets[o + k] + 1) * channels + c] += weights[o + k] * v;
                }
            }
        }
    }

    /** The slice of the points among {@code from..to} that are not one-hot, each in its live channels alone. */
    private void sliceLive(int from, int to, float[] blurred, float[] scale, float[] out, float gain,
            boolean accumulate, int channels, byte[] oneHot, long[] live) {
        int stride = d + 1;
        for (int p = from; p < to; p++) {
            if (oneHot != null && oneHot[p] >= 0) {
                continue;
            }
            float s = (scale == null ? 1f : scale[p]) * gain;
            int dst = p * channels;
            int o = p * stride;
            for (long m = live[p]; m != 0; m &= m - 1) {
                int c = Long.numberOfTrailingZeros(m);
                float a = 0f;
                for (int k = 0; k <= d; k++) {
                    a += weights[o + k] * blurred[(offsets[o + k] + 1) * channels + c];
                }
                out[dst + c] = (accumulate ? out[dst + c] : 0f) + s * a;
            }
        }
    }

    /** The splat of the one-hot points among {@code from..to}: each adds its scale to its one channel. */
    private void splatOneHot(int from, int to, float[] target, float[] scale, int channels, byte[] oneHot) {
        int stride = d + 1;
        for (int p = from; p < to; p++) {
            int c = oneHot[p];
            if (c < 0) {
                continue;
            }
            float s = scale == null ? 1f : scale[p];
            int o = p * stride;
            for (int k = 0; k <= d; k++) {
                target[(offsets[o + k] + 1) * channels + c] += weights[o + k] * s;
            }
        }
    }

    /**
     * The slice of each point's channels {@code first} to {@code first + count - 1}, {@code count}
     * at most {@value #FEW}: a point's sums over its corners stay in locals and are written once,
     * instead of d+1 read-modify-writes of {@code out}.
     */
    private void sliceFew(int from, int to, float[] blurred, float[] scale, float[] out, float gain,
            boolean accumulate, int channels, int first, int count, byte[] oneHot) {
        int stride = d + 1;
        for (int p = from; p < to; p++) {
            if (oneHot != null && oneHot[p] >= 0) {
                continue;
            }
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
                int src = (offsets[o + k] + 1) * channels + first;
                float w = weights[o + k];
                a0 += w * blurred[src];
                if (count > 1) {
                    a1 += w * blurred[src + 1];
                    if (count > 2) {
                        a2 += w * blurred[src + 2];
                        if (count > 3) {
                            a3 += w * blurred[src + 3];
                            if (count > 4) {
                                a4 += w * blurred[src + 4];
                                if (count > 5) {
                                    a5 += w * blurred[src + 5];
                                    if (count > 6) {
                                        a6 += w * blurred[src + 6];
                                        if (count > 7) {
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
            int dst = p * channels + first;
            out[dst] = (accumulate ? out[dst] : 0f) + s * a0;
            if (count > 1) {
                out[dst + 1] = (accumulate ? out[dst + 1] : 0f) + s * a1;
            }
            if (count > 2) {
                out[dst + 2] = (accumulate ? out[dst + 2] : 0f) + s * a2;
            }
            if (count > 3) {
                out[dst + 3] = (accumulate ? out[dst + 3] : 0f) + s * a3;
            }
            if (count > 4) {
                out[dst + 4] = (accumulate ? out[dst + 4] : 0f) + s * a4;
            }
            if (count > 5) {
                out[dst + 5] = (accumulate ? out[dst + 5] : 0f) + s * a5;
            }
            if (count > 6) {
                out[dst + 6] = (accumulate ? out[dst + 6] : 0f) + s * a6;
            }
            if (count > 7) {
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
        int vertices = table.count;
        int[] keys = table.keys;
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
                int before = Math.max(-1, table.find(n1, 0)); // -1: no neighbour there
                int after = Math.max(-1, table.find(n2, 0));
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

    /** Lattice vertices by key: an open-addressing hash table and the keys it numbers. */
    private static final class VertexTable {
        private final int d;
        private final int[] multipliers;
        private int[] slots = new int[0]; // per slot: vertex index + 1 (0 = empty), key hash
        private int[] keys = new int[0];  // count x d
        private int count;

        VertexTable(int d, int[] multipliers) {
            this.d = d;
            this.multipliers = multipliers;
        }

        /** Empties the table, sized for about {@code expected} vertices. */
        void clear(int expected) {
            int capacity = Integer.highestOneBit(Math.max(1024, expected)) * 4; // slots, two ints each
            if (slots.length != 2 * capacity) {
                slots = new int[2 * capacity];
                keys = new int[(capacity / 2 + 1) * d];
            } else {
                Arrays.fill(slots, 0);
            }
            count = 0;
        }

        /**
         * Vertex index of the key {@code k[from..from+d)}, or {@code ~slot} of the empty slot where
         * it would go. Lookup and {@link #add} are separate so that the lookup, what runs hundreds
         * of thousands of times per frame, stays small enough for the JIT to inline.
         */
        int find(int[] k, int from) {
            int h = hash(k, from);
            int mask = (slots.length >> 1) - 1;
            int slot = (h ^ (h >>> 15)) & mask;
            while (true) {
                int entry = slots[2 * slot];
                if (entry == 0) {
                    return ~slot;
                }
                // The slot's stored hash sits beside its entry: a different key is rejected without
                // touching the key array.
                if (slots[2 * slot + 1] == h && sameKey(entry - 1, k, from)) {
                    return entry - 1;
                }
                slot = (slot + 1) & mask;
            }
        }

        /** Vertex index of the key, added when absent. */
        int findOrAdd(int[] k, int from) {
            int v = find(k, from);
            return v >= 0 ? v : add(k, from, ~v);
        }

        /** Sum of the key's coordinates times fixed odd multipliers (independent multiplies). */
        private int hash(int[] k, int from) {
            int h = 0;
            for (int i = 0; i < d; i++) {
                h += k[from + i] * multipliers[i];
            }
            return h;
        }

        private boolean sameKey(int vertex, int[] k, int from) {
            int base = vertex * d;
            for (int i = 0; i < d; i++) {
                if (keys[base + i] != k[from + i]) {
                    return false;
                }
            }
            return true;
        }

        /** Adds the key in {@code slot}, the empty slot {@link #find} named; returns its vertex index. */
        private int add(int[] k, int from, int slot) {
            if (count * d + d > keys.length) {
                keys = Arrays.copyOf(keys, keys.length * 2);
            }
            System.arraycopy(k, from, keys, count * d, d);
            slots[2 * slot] = count + 1;
            slots[2 * slot + 1] = hash(k, from);
            if (++count * 4 > slots.length) {
                rehash();
            }
            return count - 1;
        }

        private void rehash() {
            int[] old = slots;
            slots = new int[old.length * 2];
            int mask = (slots.length >> 1) - 1;
            for (int s = 0; s < old.length; s += 2) {
                if (old[s] == 0) {
                    continue;
                }
                int h = old[s + 1];
                int slot = (h ^ (h >>> 15)) & mask;
                while (slots[2 * slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                slots[2 * slot] = old[s];
                slots[2 * slot + 1] = h;
            }
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

    /**
     * {@code norm[i] = (sum_j k(f_i, f_j))^-1/2}, the CRF's symmetric normalisation: the filter of
     * ones (bit for bit what {@link #filter(float[], float[], int)} of a ones channel gives, plus
     * 1e-20 against a zero) with its splat adding each corner's weight, and the inverse root taken as
     * each point is sliced, so no array of ones or of filtered values is read or written.
     *
     * @param mass per point: the weight it splats (points that stand for several pixels), or null: 1
     */
    void normalisation(float[] norm, float[] mass, Parallel parallel) {
        int vertices = table.count;
        int size = vertices + 1;
        ensureBuffers(size, parallel.workers());
        int stride = d + 1;
        parallel.forRange(points, (from, to, worker) -> {
            float[] target = worker == 0 ? values : partials[worker - 1];
            Arrays.fill(target, 0, size, 0f);
            for (int p = from; p < to; p++) {
                int o = p * stride;
                if (mass == null) {
                    for (int k = 0; k <= d; k++) {
                        target[offsets[o + k] + 1] += weights[o + k];
                    }
                } else {
                    float m = mass[p];
                    for (int k = 0; k <= d; k++) {
                        target[offsets[o + k] + 1] += weights[o + k] * m;
                    }
                }
            }
        });
        sumPartials(values, size, parallel);
        float[] blurred = blur(1, parallel);
        float gain = 1f / (1f + (float) Math.pow(2, -d));
        parallel.forRange(points, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                int o = p * stride;
                float sum = 0f;
                for (int k = 0; k <= d; k++) {
                    sum += weights[o + k] * blurred[offsets[o + k] + 1];
                }
                norm[p] = (float) (1.0 / Math.sqrt(gain * sum + 1e-20));
            }
        });
    }

    /** Grows the splat and blur buffers and the workers' partial splats to {@code size} floats. */
    private void ensureBuffers(int size, int workers) {
        if (values.length < size) {
            values = new float[size];
            scratch = new float[size];
        }
        if (partials.length < workers - 1 || (workers > 1 && partials[0].length < size)) {
            partials = new float[workers - 1][size];
        }
    }

    /**
     * Blurs the splatted {@code values} with [1 2 1] / 2 along each of the d+1 lattice directions,
     * {@code values} and {@code scratch} taking turns; returns the one that holds the result.
     */
    private float[] blur(int channels, Parallel parallel) {
        int vertices = table.count;
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
        return buffers[(d + 1) & 1];
    }

    /** Adds the other workers' splats to {@code total}, worker 0's (a frame too small to split has no others'). */
    private void sumPartials(float[] total, int size, Parallel parallel) {
        if (parallel.workers() > 1 && points >= 4096) {
            parallel.forRange(size, (from, to, worker) -> {
                for (float[] partial : partials) {
                    for (int i = from; i < to; i++) {
                        total[i] += partial[i];
                    }
                }
            });
        }
    }

    private static final java.util.concurrent.atomic.AtomicLong STAMPS = new java.util.concurrent.atomic.AtomicLong();

    /** A stamp no filter call has had: for a new set of one-hot points (see {@link #filter}). */
    static long newStamp() {
        return STAMPS.incrementAndGet();
    }

    /** Channels the splat and the slice take in one sweep over the points; more take several. */
    static final int FEW = 8;

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
        filter(in, scale, out, weight, accumulate, channels, null, 0, parallel);
    }

    /**
     * {@link #filter(float[], float[], float[], float, boolean, int, Parallel)} for points of which
     * some are one-hot: where {@code oneHot[i]} is a channel, point i's values are 1 in that channel
     * and 0 in the others (they are not read), it is splatted into that channel alone, and its
     * output is not computed ({@code out} keeps what it held there); where it is negative, the point
     * is filtered as usual. The one-hot points' splat is kept: a next call with the same
     * {@code stamp} (same points, one-hot channels, scale and lattice) starts from it, so that the
     * iterations of a frame splat them once.
     *
     * @param oneHot per point: its one channel, or -1; null: no point is one-hot
     * @param stamp names the one-hot points, their channels and scale: the caller gives a new one
     *     whenever any of them or the lattice changed (see {@link #newStamp})
     */
    void filter(float[] in, float[] scale, float[] out, float weight, boolean accumulate, int channels,
            byte[] oneHot, long stamp, Parallel parallel) {
        filter(in, scale, out, weight, accumulate, channels, oneHot, stamp, null, parallel);
    }

    /**
     * {@link #filter(float[], float[], float[], float, boolean, int, byte[], long, Parallel)} for
     * points whose values are zero outside a set of channels of their own: where {@code live} is
     * given, point i's values are read and splatted, and its output computed, only in the channels
     * whose bits {@code live[i]} sets (bit c for channel c; at most 64 channels); its other outputs
     * keep what they held. The work per point then follows its live channels, not all of them.
     *
     * @param live per point: its live channels, or null: every channel of every point
     */
    void filter(float[] in, float[] scale, float[] out, float weight, boolean accumulate, int channels,
            byte[] oneHot, long stamp, long[] live, Parallel parallel) {
        if (live != null && channels > Long.SIZE) {
            throw new IllegalArgumentException("live channels need at most " + Long.SIZE + " channels, not " + channels);
        }
        int vertices = table.count;
        int size = (vertices + 1) * channels; // slot 0 is the absent neighbour: always zero
        ensureBuffers(size, parallel.workers());
        if (oneHot != null && (stamp != oneHotStamp || size != oneHotSize)) {
            if (oneHotValues.length < size) {
                oneHotValues = new float[size];
            }
            parallel.forRange(points, (from, to, worker) -> {
                float[] target = worker == 0 ? oneHotValues : partials[worker - 1];
                java.util.Arrays.fill(target, 0, size, 0f);
                splatOneHot(from, to, target, scale, channels, oneHot);
            });
            sumPartials(oneHotValues, size, parallel);
            oneHotStamp = stamp;
            oneHotSize = size;
        }
        // Splat: each worker into its own buffer (worker 0 into values, from the one-hot points' splat), then summed.
        parallel.forRange(points, (from, to, worker) -> {
            float[] target = worker == 0 ? values : partials[worker - 1];
            if (worker == 0 && oneHot != null) {
                System.arraycopy(oneHotValues, 0, target, 0, size);
            } else {
                java.util.Arrays.fill(target, 0, size, 0f);
            }
            if (live != null) {
                splatLive(from, to, target, in, scale, channels, oneHot, live);
                return;
            }
            for (int first = 0; first < channels; first += FEW) {
                splatFew(from, to, target, in, scale, channels, first, Math.min(FEW, channels - first), oneHot);
            }
        });
        sumPartials(values, size, parallel);
        float[] blurred = blur(channels, parallel);
        float alpha = 1f / (1f + (float) Math.pow(2, -d));
        parallel.forRange(points, (from, to, worker) -> {
            if (live != null) {
                sliceLive(from, to, blurred, scale, out, weight * alpha, accumulate, channels, oneHot, live);
                return;
            }
            for (int first = 0; first < channels; first += FEW) {
                sliceFew(from, to, blurred, scale, out, weight * alpha, accumulate, channels, first,
                        Math.min(FEW, channels - first), oneHot);
            }
        });
    }
}
