package io.segstream.crf;

/**
 * A {@link DenseCrf}'s start from a camera's carried state (DESIGN.md, "Live mode"), the
 * scene-cut measure that refuses one, and the state saved for the camera's next frame.
 */
final class WarmStart {
    private final DenseCrf crf;
    private final float[] priorOf = new float[256]; // the prior per carried byte: one load per label

    WarmStart(final DenseCrf crf) {
        this.crf = crf;
    }

    /**
     * Starts from the carried marginals of the camera's previous frame blended with the new
     * unaries: {@code Q0 = normalise(Q_prev^weight * softmax(-U))}. The new evidence always
     * enters (DESIGN.md: the previous marginals alone stall at a stale fixed point when people
     * move). A label taking part now but not carried starts at the state's floor. Pixels whose
     * colour changed by more than {@code motionLevels} in a channel since the appearance's previous
     * frame start cold (from their unaries): what the carried marginals say of a pixel that now
     * shows something else is stale, and at a moving edge it holds the old label in place. Callers
     * pass a negative value, or the gate is skipped, unless the appearance's previous frame is the
     * frame {@code carried} was saved from ({@link TemporalCrf} checks the sequence).
     *
     * @param carried a state of this frame's size
     * @param limit the most, in nats, that the past may count against a label at a pixel: the
     *     carried marginals of a converged CRF are nearly certain (a label it ruled out carries
     *     e^-8), so uncapped they outweigh any new evidence and an object moving onto a pixel is
     *     held back frame after frame; capped, evidence stronger than e^limit to 1 wins at once
     * @param motionLevels the largest channel change, 0-255, at which a pixel still starts warm;
     *     negative: every pixel starts warm
     */
    void start(final CrfState carried, final float weight, final float limit, final int motionLevels) {
        if (carried.width() * carried.height() != crf.pixels) {
            throw new IllegalArgumentException("carried CRF state is " + carried.width() + "x" + carried.height()
                    + ", the frame has " + crf.pixels + " pixels");
        }
        final int l = crf.labels;
        final int[] column = carriedColumns(carried);
        final byte[] carriedField = carried.toBytes();
        final int base = carried.fieldOffset();
        final int m = carried.labelCount();
        if (!(limit > 0f)) {
            throw new IllegalArgumentException("warm-start limit must be positive, was " + limit);
        }
        final float step = -CrfState.STEP * weight;
        final float floor = Math.max(CrfState.FLOOR * weight, -limit);
        final AppearanceKernel appearance = crf.appearance();
        final boolean gated = motionLevels >= 0 && appearance.colourChangeKnown();
        final Unaries unaries = crf.unaries();
        final boolean keep = crf.keptSettled();
        final byte[] was = unaries.wasSettled;
        final byte[] settled = unaries.settled;
        final float[] unary = unaries.unary;
        final long[] live = unaries.live;
        final boolean sparse = unaries.sparse;
        final byte[] change = appearance.colourChange();
        final float[] prior = priorOf;
        for (int b = 0; b < 256; b++) {
            prior[b] = Math.max(b * step, -limit);
        }
        final float[] q = crf.q;
        final byte[] current = crf.current;
        crf.startPass((from, to, worker) -> {
            final float[] v = crf.sums(worker);
            int count = 0;
            for (int p = from; p < to; p++) {
                if (settled[p] >= 0) {
                    if (!keep || was[p] != settled[p]) {
                        crf.settle(p);
                    }
                    count++;
                    continue;
                }
                final int o = p * l;
                final int f = base + p * m;
                final boolean moved = gated && (change[p] & 0xFF) > motionLevels;
                for (int k = 0; k < l; k++) {
                    final int c = column[k];
                    final float before = moved ? 0f : c < 0 ? floor : prior[carriedField[f + c] & 0xFF];
                    v[k] = unary[o + k] + before;
                }
                current[p] = (byte) (sparse ? crf.softmaxLive(v, o, live[p]) : crf.softmax(v, q, o));
            }
            crf.counts[worker] += count;
        });
        crf.finishStart();
    }

    /** For each active label, its column in {@code carried}, or -1. */
    private int[] carriedColumns(final CrfState carried) {
        final int labels = crf.labels;
        final int[] column = new int[labels];
        for (int k = 0; k < labels; k++) {
            column[k] = -1;
            for (int c = 0; c < carried.labelCount(); c++) {
                if (carried.label(c) == crf.activeLabel(k)) {
                    column[k] = c;
                }
            }
        }
        return column;
    }

    /**
     * Share of pixels whose most likely label under the new unaries alone differs from the carried
     * final label: near 0 for a still camera, near the moving objects' share as they move, and
     * high across a scene cut.
     */
    float disagreement(final CrfState carried) {
        final int offset = carried.labelsOffset();
        final byte[] carriedLabels = carried.toBytes();
        final byte[] own = crf.unaries().own;
        final int[] active = crf.active();
        final int[] counts = crf.counts;
        final int pixels = crf.pixels;
        java.util.Arrays.fill(counts, 0);
        crf.parallel().forRange(pixels, (from, to, worker) -> {
            int differing = 0;
            for (int p = from; p < to; p++) {
                differing += active[own[p] & 0xFF] != (carriedLabels[offset + p] & 0xFF) ? 1 : 0;
            }
            counts[worker] = differing;
        });
        long differing = 0;
        for (final int count : counts) {
            differing += count;
        }
        return (float) differing / pixels;
    }

    /**
     * The state to carry to the camera's next frame: this frame's marginals (quantised, see
     * {@link CrfState}) and final labels.
     *
     * @param finalLabels the labels {@link DenseCrf#argmax} wrote for this frame
     */
    CrfState save(final int width, final int height, final long sequence, final byte[] finalLabels) {
        final int l = crf.labels;
        final int pixels = crf.pixels;
        final CrfState state = CrfState.allocate(width, height, sequence, l);
        for (int k = 0; k < l; k++) {
            state.setLabel(k, crf.activeLabel(k));
        }
        final byte[] out = state.toBytes();
        System.arraycopy(finalLabels, 0, out, state.labelsOffset(), pixels);
        final int base = state.fieldOffset();
        if (crf.updated) {
            System.arraycopy(crf.field, 0, out, base, pixels * l);
            return state;
        }
        // No update since the start: the start's marginals, ln q_max - ln q_k (0 gives the largest step).
        final float perStep = 1f / CrfState.STEP;
        final float[] q = crf.q;
        crf.parallel().forRange(pixels, (from, to, worker) -> {
            for (int p = from; p < to; p++) {
                final int o = p * l;
                float best = 0f;
                for (int k = 0; k < l; k++) {
                    best = Math.max(best, q[o + k]);
                }
                final float top = (float) Math.log(best);
                for (int k = 0; k < l; k++) {
                    final float rel = q[o + k] > 0f ? top - (float) Math.log(q[o + k]) : Float.POSITIVE_INFINITY;
                    out[base + o + k] = (byte) Math.min(255, (int) Math.min(255f, rel * perStep + 0.5f));
                }
            }
        });
        return state;
    }
}
