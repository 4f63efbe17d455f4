package org.longspark.data;

/**
 * Joint RGB histogram with 8 levels per channel (512 bins), normalised to sum 1. Cheap and
 * position-independent, so it changes little under motion and a lot at a cut; 4 levels per channel
 * proved too coarse to separate greyish scenes (box.mp4 vs vtest.avi).
 */
public final class ColorHistogram {
    private static final int BINS = 512;
    /** Every 2nd pixel of every 2nd row is enough for a 64-bin histogram. */
    private static final int STEP = 2;

    private final double[] share;

    private ColorHistogram(double[] share) {
        this.share = share;
    }

    public static ColorHistogram of(RgbFrame frame) {
        int[] counts = new int[BINS];
        byte[] rgb = frame.rgb();
        int width = frame.width();
        int total = 0;
        for (int y = 0; y < frame.height(); y += STEP) {
            for (int x = 0; x < width; x += STEP) {
                int i = (y * width + x) * 3;
                counts[((rgb[i] & 0xe0) << 1) | ((rgb[i + 1] & 0xe0) >> 2) | ((rgb[i + 2] & 0xe0) >> 5)]++;
                total++;
            }
        }
        double[] share = new double[BINS];
        for (int b = 0; b < BINS; b++) {
            share[b] = counts[b] / (double) total;
        }
        return new ColorHistogram(share);
    }

    /** Total variation distance: half the L1 difference, 0 for equal histograms, 1 for disjoint ones. */
    public double distance(ColorHistogram other) {
        double sum = 0;
        for (int b = 0; b < BINS; b++) {
            sum += Math.abs(share[b] - other.share[b]);
        }
        return sum / 2;
    }
}
