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

  /**
   * One group, unrolled into locals (the loop form with its index arithmetic ran about 3x slower):
   * sign flip, butterflies of span 1, 2, 4 and 8, then the 1/4 scale.
   */
  static void transform(float[] v, int o) {
    float x0 = v[o + 0];
    float x1 = v[o + 1];
    float x2 = v[o + 2];
    float x3 = -v[o + 3];
    float x4 = v[o + 4];
    float x5 = -v[o + 5];
    float x6 = -v[o + 6];
    float x7 = -v[o + 7];
    float x8 = -v[o + 8];
    float x9 = -v[o + 9];
    float x10 = -v[o + 10];
    float x11 = v[o + 11];
    float x12 = -v[o + 12];
    float x13 = v[o + 13];
    float x14 = -v[o + 14];
    float x15 = -v[o + 15];
    float a0 = x0 + x1;
    float a1 = x0 - x1;
    float a2 = x2 + x3;
    float a3 = x2 - x3;
    float a4 = x4 + x5;
    float a5 = x4 - x5;
    float a6 = x6 + x7;
    float a7 = x6 - x7;
    float a8 = x8 + x9;
    float a9 = x8 - x9;
    float a10 = x10 + x11;
    float a11 = x10 - x11;
    float a12 = x12 + x13;
    float a13 = x12 - x13;
    float a14 = x14 + x15;
    float a15 = x14 - x15;
    float b0 = a0 + a2;
    float b2 = a0 - a2;
    float b1 = a1 + a3;
    float b3 = a1 - a3;
    float b4 = a4 + a6;
    float b6 = a4 - a6;
    float b5 = a5 + a7;
    float b7 = a5 - a7;
    float b8 = a8 + a10;
    float b10 = a8 - a10;
    float b9 = a9 + a11;
    float b11 = a9 - a11;
    float b12 = a12 + a14;
    float b14 = a12 - a14;
    float b13 = a13 + a15;
    float b15 = a13 - a15;
    float c0 = b0 + b4;
    float c4 = b0 - b4;
    float c1 = b1 + b5;
    float c5 = b1 - b5;
    float c2 = b2 + b6;
    float c6 = b2 - b6;
    float c3 = b3 + b7;
    float c7 = b3 - b7;
    float c8 = b8 + b12;
    float c12 = b8 - b12;
    float c9 = b9 + b13;
    float c13 = b9 - b13;
    float c10 = b10 + b14;
    float c14 = b10 - b14;
    float c11 = b11 + b15;
    float c15 = b11 - b15;
    float d0 = c0 + c8;
    float d8 = c0 - c8;
    float d1 = c1 + c9;
    float d9 = c1 - c9;
    float d2 = c2 + c10;
    float d10 = c2 - c10;
    float d3 = c3 + c11;
    float d11 = c3 - c11;
    float d4 = c4 + c12;
    float d12 = c4 - c12;
    float d5 = c5 + c13;
    float d13 = c5 - c13;
    float d6 = c6 + c14;
    float d14 = c6 - c14;
    float d7 = c7 + c15;
    float d15 = c7 - c15;
    v[o + 0] = d0 * 0.25f;
    v[o + 1] = d1 * 0.25f;
    v[o + 2] = d2 * 0.25f;
    v[o + 3] = d3 * 0.25f;
    v[o + 4] = d4 * 0.25f;
    v[o + 5] = d5 * 0.25f;
    v[o + 6] = d6 * 0.25f;
    v[o + 7] = d7 * 0.25f;
    v[o + 8] = d8 * 0.25f;
    v[o + 9] = d9 * 0.25f;
    v[o + 10] = d10 * 0.25f;
    v[o + 11] = d11 * 0.25f;
    v[o + 12] = d12 * 0.25f;
    v[o + 13] = d13 * 0.25f;
    v[o + 14] = d14 * 0.25f;
    v[o + 15] = d15 * 0.25f;
  }
}
