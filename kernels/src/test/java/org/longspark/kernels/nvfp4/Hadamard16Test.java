package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Hadamard16Test {
  /**
   * The unrolled butterflies compute (H16 / 4) diag(s) v with H16[i][j] = (-1)^popcount(i & j),
   * the Sylvester matrix. Each output is a signed sum of 16 float32 values times 0.25, so it lies
   * within 16 float32 roundings of the exact sum: tolerance 16 * 2^-24 of the summed magnitudes.
   */
  @Test
  void matchesTheMatrixDefinition() {
    Random r = new Random(3);
    float[] v = new float[16 * 64];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7) - 3));
    }
    float[] t = v.clone();
    Hadamard16.apply(t, 16, 64);
    for (int g = 0; g < v.length; g += 16) {
      for (int i = 0; i < 16; i++) {
        double exact = 0;
        double magnitude = 0;
        for (int j = 0; j < 16; j++) {
          int h = (Integer.bitCount(i & j) & 1) == 0 ? 1 : -1;
          exact += h * Hadamard16.SIGNS[j] * (double) v[g + j] / 4;
          magnitude += Math.abs(v[g + j]) / 4.0;
        }
        assertEquals(exact, t[g + i], 16 * 0x1p-24 * magnitude, "group " + g / 16 + ", output " + i);
      }
    }
  }
}
