package org.longspark.kernels.gemm;

import org.longspark.kernels.nvfp4.Nvfp4Tensor;

/**
 * CPU twin of {@link GemmKernels}: the same products in double-precision accumulation over float
 * inputs (bf16 inputs widened exactly, NVFP4 inputs dequantized with the codec), the same epilogue
 * {@code D = alpha * (A B^T) + bias[col] + (accumulate ? D_old : 0)}. Row-major arrays. Used by the
 * GPU tests as the reference and usable as a CPU fallback (it is simple, not fast).
 */
public final class GemmReference {
  private GemmReference() {}

  /**
   * {@code y[m,n] = alpha * x[m,k] w[n,k]^T + bias[n] + (old == null ? 0 : old[m,n])}.
   *
   * @param bias null for none
   * @param old null unless accumulating
   */
  public static float[] linear(float[] x, float[] w, int m, int n, int k, float alpha, float[] bias, float[] old) {
    check(x, (long) m * k, "x");
    check(w, (long) n * k, "w");
    return product(x, k, 1, w, k, 1, m, n, k, alpha, bias, old);
  }

  /** {@code dx[m,k] = alpha * dy[m,n] w[n,k] + bias[k] + old}. */
  public static float[] linearDgrad(float[] dy, float[] w, int m, int n, int k, float alpha, float[] bias, float[] old) {
    check(dy, (long) m * n, "dy");
    check(w, (long) n * k, "w");
    return product(dy, n, 1, w, 1, k, m, k, n, alpha, bias, old);
  }

  /** {@code dw[n,k] = alpha * dy[m,n]^T x[m,k] + bias[k] + old}. */
  public static float[] linearWgrad(float[] dy, float[] x, int m, int n, int k, float alpha, float[] bias, float[] old) {
    check(dy, (long) m * n, "dy");
    check(x, (long) m * k, "x");
    return product(dy, 1, n, x, 1, k, n, k, m, alpha, bias, old);
  }

  // d[i][j] = alpha * sum_p A(i,p) B(j,p) + bias[j] + old[i][j] with A(i,p) = a[i*ai + p*ap] and
  // B(j,p) = b[j*bj + p*bp]: the three layouts of a linear layer's step.
  private static float[] product(
      float[] a, int ai, int ap, float[] b, int bj, int bp, int rows, int cols, int red, float alpha,
      float[] bias, float[] old) {
    checkEpilogue(bias, cols, old, (long) rows * cols);
    float[] d = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double s = 0;
        for (int p = 0; p < red; p++) {
          s += (double) a[i * ai + p * ap] * b[j * bj + p * bp];
        }
        d[i * cols + j] = finish(s, alpha, bias, old, i * cols + j, j);
      }
    }
    return d;
  }

  /** W4A16: {@code y = alpha * x[m,k] dequant(w)^T + ...}. */
  public static float[] w4a16(float[] x, Nvfp4Tensor w, int m, float alpha, float[] bias, float[] old) {
    return linear(x, w.dequantize(), m, w.rows(), w.cols(), alpha, bias, old);
  }

  /** W4A4 over the first {@code m} rows of the activations {@code x}. */
  public static float[] w4a4(Nvfp4Tensor x, Nvfp4Tensor w, int m, float alpha, float[] bias, float[] old) {
    if (x.cols() != w.cols()) {
      throw new IllegalArgumentException("W4A4: activations have " + x.cols() + " columns, weights " + w.cols());
    }
    if (m > x.rows()) {
      throw new IllegalArgumentException("W4A4: m = " + m + " but the activations have " + x.rows() + " rows");
    }
    float[] xd = x.dequantize();
    float[] xm = new float[m * x.cols()];
    System.arraycopy(xd, 0, xm, 0, xm.length);
    return linear(xm, w.dequantize(), m, w.rows(), w.cols(), alpha, bias, old);
  }

  /** Relative Frobenius error {@code ||got - ref|| / ||ref||} (NaN anywhere gives NaN). */
  public static double relativeError(float[] got, float[] ref) {
    if (got.length != ref.length) {
      throw new IllegalArgumentException("lengths differ: " + got.length + " vs " + ref.length);
    }
    double num = 0;
    double den = 0;
    for (int i = 0; i < got.length; i++) {
      double d = (double) got[i] - ref[i];
      num += d * d;
      den += (double) ref[i] * ref[i];
    }
    return Math.sqrt(num / den);
  }

  private static float finish(double s, float alpha, float[] bias, float[] old, int idx, int col) {
    double v = alpha * s;
    if (bias != null) {
      v += bias[col];
    }
    if (old != null) {
      v += old[idx];
    }
    return (float) v;
  }

  private static void check(float[] a, long need, String what) {
    if (a.length != need) {
      throw new IllegalArgumentException(what + " has " + a.length + " elements, expected " + need);
    }
  }

  private static void checkEpilogue(float[] bias, int cols, float[] old, long outCount) {
    if (bias != null && bias.length != cols) {
      throw new IllegalArgumentException("bias has " + bias.length + " elements, expected " + cols);
    }
    if (old != null && old.length != outCount) {
      throw new IllegalArgumentException("old output has " + old.length + " elements, expected " + outCount);
    }
  }
}
