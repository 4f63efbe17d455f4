package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;

/**
 * 3D rotary position embedding over (frame, row, column), Wan's split of a head of width Dh into
 * pairs: {@code Dh/2 - 2*(Dh/6)} pairs for time, {@code Dh/6} for height and {@code Dh/6} for width,
 * each axis with frequencies {@code theta^(-2i/axisDim)}. The rotation itself is the backend's
 * {@link Backend#rope} op; its backward is the inverse rotation.
 */
public final class Rope3d {
  private final int headDim;
  private final double[] freqs;
  private final int timePairs;
  private final int spacePairs;

  public Rope3d(int headDim, double theta) {
    if (headDim % 2 != 0 || headDim < 6) {
      throw new IllegalArgumentException("RoPE head dim must be even and >= 6, got " + headDim);
    }
    this.headDim = headDim;
    this.spacePairs = headDim / 6;
    this.timePairs = headDim / 2 - 2 * spacePairs;
    this.freqs = new double[headDim / 2];
    fill(0, timePairs, theta);
    fill(timePairs, spacePairs, theta);
    fill(timePairs + spacePairs, spacePairs, theta);
  }

  private void fill(int from, int pairs, double theta) {
    int axisDim = 2 * pairs;
    for (int i = 0; i < pairs; i++) {
      freqs[from + i] = Math.pow(theta, -(2.0 * i) / axisDim);
    }
  }

  /**
   * Cos/sin tables [L, Dh/2] for tokens laid out frame by frame, each frame an h x w grid in row-major
   * order; {@code frameIndex[i]} is the temporal position of the i-th frame of the sequence (a clean
   * frame and its noisy copy share one position).
   */
  public Attention.Rotary tables(Backend be, int[] frameIndex, int h, int w) {
    int perFrame = h * w;
    int half = headDim / 2;
    int len = frameIndex.length * perFrame;
    double[] cos = new double[len * half];
    double[] sin = new double[len * half];
    for (int fi = 0; fi < frameIndex.length; fi++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int token = fi * perFrame + y * w + x;
          for (int i = 0; i < half; i++) {
            int pos = i < timePairs ? frameIndex[fi] : i < timePairs + spacePairs ? y : x;
            double angle = pos * freqs[i];
            cos[token * half + i] = Math.cos(angle);
            sin[token * half + i] = Math.sin(angle);
          }
        }
      }
    }
    return new Attention.Rotary(be.fromDoubles(cos, len, half), be.fromDoubles(sin, len, half));
  }
}
