package org.longspark.barrier.vae;

import java.util.SplittableRandom;

/**
 * A real causal temporal encoder for the plan's tests: a stack of strided causal convolutions over
 * frames of C features with tanh between layers (left zero padding of k-1 frames, output i reads
 * inputs i*s - (k-1) .. i*s). Frames are rows of a [T][C] array.
 */
final class ToyCausalEncoder {
  private final int[] kernels;
  private final int[] strides;
  private final int channels;
  private final double[][][][] weights; // [layer][tap][out][in]

  ToyCausalEncoder(int[] kernels, int[] strides, int channels, long seed) {
    this.kernels = kernels.clone();
    this.strides = strides.clone();
    this.channels = channels;
    SplittableRandom r = new SplittableRandom(seed);
    weights = new double[kernels.length][][][];
    for (int l = 0; l < kernels.length; l++) {
      weights[l] = new double[kernels[l]][channels][channels];
      for (double[][] tap : weights[l]) {
        for (double[] row : tap) {
          for (int c = 0; c < channels; c++) {
            row[c] = r.nextDouble() * 2 - 1;
          }
        }
      }
    }
  }

  CausalEncoderGeometry geometry() {
    return CausalEncoderGeometry.ofConvStack(kernels, strides);
  }

  /** Encodes frames [T][C] as if they were a whole clip (zero history before the first). */
  double[][] encode(double[][] frames) {
    double[][] x = frames;
    for (int l = 0; l < kernels.length; l++) {
      int k = kernels[l];
      int s = strides[l];
      int outLen = (x.length - 1) / s + 1;
      double[][] y = new double[outLen][channels];
      for (int i = 0; i < outLen; i++) {
        for (int t = 0; t < k; t++) {
          int src = i * s - (k - 1) + t;
          if (src < 0) {
            continue;
          }
          for (int o = 0; o < channels; o++) {
            double acc = 0;
            for (int c = 0; c < channels; c++) {
              acc += weights[l][t][o][c] * x[src][c];
            }
            y[i][o] += acc;
          }
        }
        for (int o = 0; o < channels; o++) {
          y[i][o] = Math.tanh(y[i][o]);
        }
      }
      x = y;
    }
    return x;
  }
}
