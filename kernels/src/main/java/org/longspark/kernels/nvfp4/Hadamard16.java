package org.longspark.kernels.nvfp4;

/**
 * The 16-point random Hadamard transform applied along rows before quantizing both operands of a
 * wgrad product: each group of 16 consecutive row elements v becomes (H16 / 4) diag(s) v, with H16
 * the Sylvester Hadamard matrix and s the fixed sign vector below. The matrix is orthogonal, so a
 * product over the transformed dimension is unchanged, while outliers are spread over the group.
 *
 * <p>The float32 operation order is part of the format (the CUDA kernel and the golden-vector
 * script do the same): flip signs, then the in-place butterflies with spans 1, 2, 4, 8, each
 * (a, b) -> (a + b, a - b), then multiply by 0.25.
 */
public final class Hadamard16 {
  /** The sign vector s (DESIGN.md). */
  static final float[] SIGNS = {1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, 1, -1, 1, -1, -1};

  private Hadamard16() {}

  /** Transforms every 16-element group of every row in place; cols must be a multiple of 16. */
  public static void apply(float[] data, int rows, int cols) {
    Nvfp4Quantizer.checkShape(data.length, rows, cols);
    for (int off = 0; off < data.length; off += 16) {
      transform(data, off);
    }
  }

  static void transform(float[] v, int off) {
    for (int j = 0; j < 16; j++) {
      if (SIGNS[j] < 0) {
        v[off + j] = -v[off + j];
      }
    }
    for (int h = 1; h < 16; h <<= 1) {
      for (int i = 0; i < 16; i++) {
        if ((i & h) == 0) {
          float a = v[off + i];
          float b = v[off + i + h];
          v[off + i] = a + b;
          v[off + i + h] = a - b;
        }
      }
    }
    for (int j = 0; j < 16; j++) {
      v[off + j] *= 0.25f;
    }
  }
}
