package org.longspark.data;

import java.io.Serializable;
import java.util.List;

/**
 * Quality statistics of one clip, all on BT.601 luma (0..255).
 *
 * @param meanLuma mean brightness over every pixel of every frame
 * @param motion   mean absolute luma difference between consecutive frames, averaged over pairs
 * @param phash    64-bit difference hash of the clip's mean luma image (9x8 cells, bit = left
 *                 cell darker than its right neighbour), robust to re-encoding and small shifts
 */
public record ClipQuality(double meanLuma, double motion, long phash) implements Serializable {
    private static final int HASH_COLS = 9;
    private static final int HASH_ROWS = 8;

    public static ClipQuality measure(List<RgbFrame> frames) {
        RgbFrame first = frames.get(0);
        int width = first.width();
        int height = first.height();
        int pixels = width * height;
        long[] lumaSum = new long[pixels];
        long total = 0;
        double motionSum = 0;
        byte[] previous = null;
        for (RgbFrame frame : frames) {
            byte[] y = frame.luma();
            long diff = 0;
            for (int p = 0; p < pixels; p++) {
                int v = y[p] & 0xff;
                lumaSum[p] += v;
                total += v;
                if (previous != null) {
                    diff += Math.abs(v - (previous[p] & 0xff));
                }
            }
            if (previous != null) {
                motionSum += diff / (double) pixels;
            }
            previous = y;
        }
        double meanLuma = total / ((double) pixels * frames.size());
        double motion = frames.size() > 1 ? motionSum / (frames.size() - 1) : 0;
        return new ClipQuality(meanLuma, motion, differenceHash(lumaSum, width, height));
    }

    private static long differenceHash(long[] lumaSum, int width, int height) {
        double[] cells = new double[HASH_COLS * HASH_ROWS];
        for (int r = 0; r < HASH_ROWS; r++) {
            int y0 = r * height / HASH_ROWS;
            int y1 = (r + 1) * height / HASH_ROWS;
            for (int c = 0; c < HASH_COLS; c++) {
                int x0 = c * width / HASH_COLS;
                int x1 = (c + 1) * width / HASH_COLS;
                double sum = 0;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        sum += lumaSum[y * width + x];
                    }
                }
                cells[r * HASH_COLS + c] = sum / Math.max(1, (y1 - y0) * (x1 - x0));
            }
        }
        long hash = 0;
        for (int r = 0; r < HASH_ROWS; r++) {
            for (int c = 0; c < HASH_COLS - 1; c++) {
                hash <<= 1;
                if (cells[r * HASH_COLS + c] < cells[r * HASH_COLS + c + 1]) {
                    hash |= 1;
                }
            }
        }
        return hash;
    }

    /** Number of differing bits between two hashes. */
    public static int hammingDistance(long a, long b) {
        return Long.bitCount(a ^ b);
    }
}
