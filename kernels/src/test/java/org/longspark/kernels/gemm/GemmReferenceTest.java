package org.longspark.kernels.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.kernels.nvfp4.Nvfp4Tensor;

class GemmReferenceTest {
  @Test
  void linearAppliesAlphaBiasAndAccumulation() {
    // x = [[1,2,3],[4,5,6]], w = [[1,0,-1],[2,1,0]]  ->  x w^T = [[-2,4],[-2,13]]
    float[] x = {1, 2, 3, 4, 5, 6};
    float[] w = {1, 0, -1, 2, 1, 0};
    assertArrayEquals(new float[] {-2, 4, -2, 13}, GemmReference.linear(x, w, 2, 2, 3, 1f, null, null));
    float[] y = GemmReference.linear(x, w, 2, 2, 3, 0.5f, new float[] {10, 20}, new float[] {1, 2, 3, 4});
    assertArrayEquals(new float[] {-1 + 10 + 1, 2 + 20 + 2, -1 + 10 + 3, 6.5f + 20 + 4}, y);
  }

  @Test
  void dgradAndWgradAreTheForwardWithTransposedOperands() {
    Random r = new Random(7);
    int m = 5, n = 3, k = 4;
    float[] dy = random(r, m * n), w = random(r, n * k), x = random(r, m * k);
    // dx = dy w = linear(dy, w^T)
    assertArrayEquals(GemmReference.linear(dy, transpose(w, n, k), m, k, n, 1f, null, null),
        GemmReference.linearDgrad(dy, w, m, n, k, 1f, null, null));
    // dw = dy^T x = linear(dy^T, x^T)
    assertArrayEquals(GemmReference.linear(transpose(dy, m, n), transpose(x, m, k), n, k, m, 1f, null, null),
        GemmReference.linearWgrad(dy, x, m, n, k, 1f, null, null));
  }

  @Test
  void w4a4ReadsTheFirstRowsOfPaddedActivations() {
    Random r = new Random(11);
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().build();
    Nvfp4Tensor x = q.quantize(random(r, 16 * 32), 16, 32);
    Nvfp4Tensor w = q.quantize(random(r, 16 * 32), 16, 32);
    float[] all = GemmReference.w4a4(x, w, 16, 1f, null, null);
    float[] first5 = GemmReference.w4a4(x, w, 5, 1f, null, null);
    for (int i = 0; i < first5.length; i++) {
      assertEquals(all[i], first5[i], 0f, "element " + i);
    }
    assertThrows(IllegalArgumentException.class, () -> GemmReference.w4a4(x, w, 17, 1f, null, null));
  }

  @Test
  void relativeErrorIsTheFrobeniusRatio() {
    assertEquals(0.5, GemmReference.relativeError(new float[] {3, 4}, new float[] {6, 8}), 1e-12);
    assertEquals(0.0, GemmReference.relativeError(new float[] {1, -2}, new float[] {1, -2}), 0.0);
  }

  @Test
  void rejectsMismatchedSizes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GemmReference.linear(new float[6], new float[5], 2, 2, 3, 1f, null, null));
    assertEquals("w has 5 elements, expected 6", e.getMessage());
  }

  private static float[] random(Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextFloat() * 2 - 1;
    }
    return a;
  }

  private static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[j * rows + i] = a[i * cols + j];
      }
    }
    return t;
  }
}
