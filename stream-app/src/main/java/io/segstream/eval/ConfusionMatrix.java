package io.segstream.eval;

/**
 * Pixel confusion counts between ground truth and prediction over {@code classes} classes, for
 * pixel accuracy and IoU (PASCAL VOC's protocol: a ground-truth value of {@code ignore}, 255 in VOC,
 * is left out).
 */
public final class ConfusionMatrix {
    private final int classes;
    private final long[] counts;

    public ConfusionMatrix(int classes) {
        this.classes = classes;
        this.counts = new long[classes * classes];
    }

    /** Adds one label map; ground-truth pixels equal to {@code ignore} or outside the classes are skipped. */
    public void add(byte[] truth, byte[] predicted, int ignore) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("ground truth has " + truth.length + " pixels, prediction "
                    + predicted.length);
        }
        add(truth, predicted, truth.length, ignore);
    }

    /** As {@link #add(byte[], byte[], int)} for the first {@code n} pixels of both (reused buffers). */
    public void add(byte[] truth, byte[] predicted, int n, int ignore) {
        for (int i = 0; i < n; i++) {
            int t = truth[i] & 0xFF;
            int p = predicted[i] & 0xFF;
            if (t == ignore || t >= classes || p >= classes) {
                continue;
            }
            counts[t * classes + p]++;
        }
    }

    /** IoU of class c, or NaN when it appears in neither truth nor prediction. */
    public double iou(int c) {
        long tp = counts[c * classes + c];
        long fn = 0;
        long fp = 0;
        for (int k = 0; k < classes; k++) {
            if (k != c) {
                fn += counts[c * classes + k];
                fp += counts[k * classes + c];
            }
        }
        long union = tp + fn + fp;
        return union == 0 ? Double.NaN : (double) tp / union;
    }

    /** Mean IoU over the classes present in the ground truth. */
    public double meanIou() {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < classes; c++) {
            if (truthPixels(c) > 0) {
                sum += iou(c);
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    public double pixelAccuracy() {
        long right = 0;
        long all = 0;
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                all += counts[t * classes + p];
            }
            right += counts[t * classes + t];
        }
        return all == 0 ? Double.NaN : (double) right / all;
    }

    /** Classes the matrix counts. */
    public int classes() {
        return classes;
    }

    /** Pixels of ground-truth class {@code t} predicted as {@code p}. */
    public long count(int t, int p) {
        return counts[t * classes + p];
    }

    /** Pixels whose ground truth is class {@code c} (not ignored). */
    public long truthPixels(int c) {
        long n = 0;
        for (int p = 0; p < classes; p++) {
            n += counts[c * classes + p];
        }
        return n;
    }
}
