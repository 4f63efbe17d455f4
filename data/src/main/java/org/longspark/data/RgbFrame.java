package org.longspark.data;

/**
 * One decoded, transformed frame: packed RGB uint8, rows top to bottom, {@code width*height*3}
 * bytes.
 *
 * @param index position in the resampled stream, from 0
 */
public record RgbFrame(long index, int width, int height, byte[] rgb) {

    /** BT.601 luma per pixel (integer approximation), used by every quality statistic. */
    public byte[] luma() {
        byte[] y = new byte[width * height];
        for (int p = 0, i = 0; p < y.length; p++, i += 3) {
            int r = rgb[i] & 0xff, g = rgb[i + 1] & 0xff, b = rgb[i + 2] & 0xff;
            y[p] = (byte) ((77 * r + 150 * g + 29 * b + 128) >> 8);
        }
        return y;
    }
}
