package io.segstream.bench;

import java.util.Arrays;

/** Summaries the harnesses share. */
final class Stats {
    private Stats() {}

    /** The middle of the sorted values (the upper one of the two middles for an even count); the input is not changed. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
