package io.segstream.crf;

/**
 * Label pruning: which labels of a frame take part in its CRF. A label takes part when its softmax
 * probability can reach the pruning probability on a few pixels; the others are left at marginal 0
 * and cost nothing in any pass. The labels taking part ("active", numbered from 0 up to the count {@link #select} returns)
 * keep their order, so that {@link #label(int)} names each one.
 */
final class LabelSelection {
    /** Pixels per block of a pass that reads every plane: a block of each stays in cache between reads. */
    static final int BLOCK = 2048;

    private final float pruneLogGap;
    private int[] active = new int[0];   // original label of each active label
    private int[] previous = new int[0]; // the last frame's, for sameAsBefore
    private int count;
    private int previousCount;
    private float[] bestLogit = new float[0];
    private int[][] hits = new int[0][]; // per worker, per label: pixels where it is within reach

    /** @param pruneProbability 0 keeps every label (see {@link CrfOptions#pruneProbability()}) */
    LabelSelection(final float pruneProbability) {
        this.pruneLogGap = pruneProbability == 0f ? Float.NEGATIVE_INFINITY : (float) Math.log(pruneProbability);
    }

    /** The original label index of active label {@code k}. */
    int label(final int k) {
        return active[k];
    }

    /** The active labels' original indices, valid for as many entries as {@link #select} returned (the array itself). */
    int[] active() {
        return active;
    }

    /** True when the last selection chose the same labels, in the same order, as the one before it. */
    boolean sameAsBefore() {
        return count == previousCount && java.util.Arrays.equals(active, 0, count, previous, 0, count);
    }

    /**
     * Selects the labels that can reach {@code exp(pruneLogGap)} probability somewhere: a label's
     * softmax probability is at most {@code exp(logit - max logit)}, so keeping every label within
     * {@code -pruneLogGap} of the pixel's best logit keeps every label that could.
     *
     * @return the number of labels taking part
     */
    int select(final float[] planes, final int n, final int labelCount, final Parallel parallel) {
        if (previous.length < count) {
            previous = new int[active.length];
        }
        System.arraycopy(active, 0, previous, 0, count);
        previousCount = count;
        if (active.length < labelCount) {
            active = new int[labelCount];
        }
        if (pruneLogGap == Float.NEGATIVE_INFINITY) {
            for (int l = 0; l < labelCount; l++) {
                active[l] = l;
            }
            count = labelCount;
            return count;
        }
        if (bestLogit.length < n) {
            bestLogit = new float[n];
        }
        final int workers = parallel.workers();
        if (hits.length < workers || hits[0].length < labelCount) {
            hits = new int[workers][labelCount];
        }
        // A label must reach the threshold on a few pixels (1 in 2000, at least 4): a handful of
        // uncertain pixels cannot drag a label into every filtering pass.
        final int needed = Math.max(4, n / 2000);
        // Every worker's counts start at zero here, not inside the pass: a small frame runs on worker 0
        // alone, and the others' counts from an earlier, larger frame must not be summed with its own.
        for (final int[] counts : hits) {
            java.util.Arrays.fill(counts, 0);
        }
        parallel.forRange(n, (from, to, worker) -> countWithinReach(planes, n, labelCount, needed, from, to, worker));
        int selected = 0;
        for (int l = 0; l < labelCount; l++) {
            int total = 0;
            for (int w = 0; w < workers; w++) {
                total += hits[w][l];
            }
            if (total >= needed) {
                active[selected++] = l;
            }
        }
        count = selected;
        return count;
    }

    /**
     * Counts, for pixels {@code from..to}, where each label is within reach of the pixel's best logit.
     * The worker takes its pixels in blocks small enough that a block of every plane stays in cache
     * between the two passes, so the planes are read from memory once; a label that already reached
     * the count in this worker's pixels is not counted further.
     */
    private void countWithinReach(final float[] planes, final int n, final int labelCount, final int needed,
            final int from, final int to, final int worker) {
        final int[] counts = hits[worker];
        for (int b = from; b < to; b += BLOCK) {
            final int e = Math.min(to, b + BLOCK);
            System.arraycopy(planes, b, bestLogit, b, e - b);
            for (int l = 1; l < labelCount; l++) {
                final int o = l * n;
                for (int p = b; p < e; p++) {
                    bestLogit[p] = Math.max(bestLogit[p], planes[o + p]);
                }
            }
            for (int l = 0; l < labelCount; l++) {
                if (counts[l] >= needed) {
                    continue;
                }
                final int o = l * n;
                // Most labels come nowhere near any pixel's best: the largest gap (a reduction, which
                // the JIT vectorises) rules such a block out before anything is counted.
                float nearest = Float.NEGATIVE_INFINITY;
                for (int p = b; p < e; p++) {
                    nearest = Math.max(nearest, planes[o + p] - bestLogit[p]);
                }
                if (nearest < pruneLogGap) {
                    continue;
                }
                int c = 0;
                for (int p = b; p < e; p++) {
                    c += planes[o + p] - bestLogit[p] >= pruneLogGap ? 1 : 0;
                }
                counts[l] += c;
            }
        }
    }
}
