package org.longspark.model.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.longspark.kernels.nvfp4.Hadamard16;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.kernels.nvfp4.Nvfp4ScaleRule;
import org.longspark.model.TinyModels;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.LinearPrecision;
import org.longspark.model.tensor.Tensor;

/**
 * The NVFP4 Linear recipe against products composed directly from the kernels module's codec, plus
 * the statistical properties the recipe relies on (unbiased stochastic rounding, orthogonal
 * Hadamard transform).
 */
class Nvfp4LinearTest {
  private static final int N = 64;
  private static final int IN = 48;
  private static final int OUT = 32;
  private static CpuBackend be;

  @BeforeAll
  static void open() {
    be = new CpuBackend();
  }

  @AfterAll
  static void close() {
    be.close();
  }

  private static float[] transpose(float[] a, int rows, int cols) {
    float[] t = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = a[r * cols + c];
      }
    }
    return t;
  }

  private static float[] deq(Nvfp4Quantizer q, float[] data, int rows, int cols) {
    return q.quantize(data, rows, cols).dequantize();
  }

  /** The same float32 libtorch GEMM on operands quantized by the test itself. */
  private static float[] fullLinear(float[] x, int n, int in, float[] w, int out) {
    Tensor y = be.linear(be.fromFloats(x, n, in), be.fromFloats(w, out, in), null,
        LinearPrecision.FULL, 0).y();
    return be.toFloats(y);
  }

  @ParameterizedTest
  @EnumSource(Nvfp4ScaleRule.class)
  void forwardEqualsDequantizeThenMatmulExactly(Nvfp4ScaleRule rule) {
    LinearPrecision.Nvfp4 recipe = new LinearPrecision.Nvfp4(rule);
    float[] x = TinyModels.gaussian(N * IN, 1, 1);
    float[] w = TinyModels.gaussian(OUT * IN, 2, 0.1);
    x[5] = 40f; // an outlier, so that block scales differ widely
    try (Backend.Step s = be.openStep()) {
      float[] got = be.toFloats(be.linear(be.fromFloats(x, 2, N / 2, IN),
          be.fromFloats(w, OUT, IN), null, recipe, 9).y());
      float[] want = fullLinear(deq(recipe.activations(), x, N, IN), N, IN,
          deq(recipe.weights(), w, OUT, IN), OUT);
      assertArrayEquals(want, got, 0f);
      // and it is a quantized product: close to, but not equal to, the FP32 one
      float[] fp32 = fullLinear(x, N, IN, w, OUT);
      double err = relativeError(got, fp32);
      assertTrue(err > 0 && err < 0.2, "relative error vs FP32 " + err);
    }
  }

  @Test
  void backwardEqualsTheRecipeComposedFromTheCodec() {
    assertRecipeComposedFromTheCodec(N, IN, OUT);
  }

  /**
   * Shapes that cut every quantization into several of Nvfp4Ops's thread chunks (X 2 chunks, W in
   * 16x16 tiles 2 with a 16-row tail, X^T 2, dY 128, dY^T 65): the split changes no bit.
   */
  @Test
  void recipeAcrossThreadChunksEqualsTheCodec() {
    assertRecipeComposedFromTheCodec(2048, 32, 1040);
  }

  private static void assertRecipeComposedFromTheCodec(int n, int in, int out) {
    LinearPrecision.Nvfp4 recipe = new LinearPrecision.Nvfp4(Nvfp4ScaleRule.STATIC_6);
    float[] x = TinyModels.gaussian(n * in, 3, 1);
    float[] w = TinyModels.gaussian(out * in, 4, 0.1);
    float[] dy = TinyModels.gaussian(n * out, 5, 0.01);
    long seed = 77;
    try (Backend.Step s = be.openStep()) {
      Backend.LinearForward f = be.linear(be.fromFloats(x, n, in), be.fromFloats(w, out, in),
          be.zeros(out), recipe, seed);
      float[] wq = deq(recipe.weights(), w, out, in);
      assertArrayEquals(fullLinear(deq(recipe.activations(), x, n, in), n, in, wq, out),
          be.toFloats(f.y()), 0f);
      Backend.LinearGrads g = be.linearBackward(be.fromFloats(dy, n, out), f, true, true);
      // dgrad: Q_sr(dY) [n, out] times Q(W) [out, in]
      float[] dyq = deq(recipe.outputGradsForDgrad().withSeed(Nvfp4Ops.seedFor(seed, 2)), dy, n,
          out);
      float[] dx = be.toFloats(be.linear(be.fromFloats(dyq, n, out),
          be.fromFloats(transpose(wq, out, in), in, out), null, LinearPrecision.FULL, 0).y());
      assertArrayEquals(dx, be.toFloats(g.dx()), 0f);
      // wgrad: Q_sr(H dY^T) [out, n] times Q(H X^T)^T [n, in]
      float[] dyT = deq(recipe.outputGradsForWgrad().withSeed(Nvfp4Ops.seedFor(seed, 1)),
          transpose(dy, n, out), out, n);
      float[] xT = deq(recipe.activationsForWgrad(), transpose(x, n, in), in, n);
      float[] dw = fullLinear(dyT, out, n, xT, in);
      assertArrayEquals(dw, be.toFloats(g.dw()), 0f);
      // wgrad with Hadamard on both operands approximates the FP32 dW = dY^T X (quantization only:
      // E2M1 with per-16 scales has ~10% RMS relative error per operand on Gaussian data)
      float[] dwFull = fullLinear(transpose(dy, n, out), out, n, transpose(x, n, in), in);
      double err = relativeError(be.toFloats(g.dw()), dwFull);
      assertTrue(err < 0.25, "wgrad relative error vs FP32 " + err);
      // bias gradient from the unquantized dY (summed in double here; libtorch sums in float, in
      // its own order, hence the tolerance)
      double[] db = new double[out];
      for (int i = 0; i < n * out; i++) {
        db[i % out] += dy[i];
      }
      float[] gotDb = be.toFloats(g.db());
      for (int o = 0; o < out; o++) {
        assertEquals(db[o], gotDb[o], 1e-5, "db[" + o + "]");
      }
    }
  }

  @Test
  void stochasticRoundingOfTheDgradIsUnbiased() {
    LinearPrecision.Nvfp4 recipe = new LinearPrecision.Nvfp4(Nvfp4ScaleRule.STATIC_6);
    float[] x = TinyModels.gaussian(N * IN, 6, 1);
    float[] w = TinyModels.gaussian(OUT * IN, 7, 0.1);
    float[] dy = TinyModels.gaussian(N * OUT, 8, 1);
    float[] wq = deq(recipe.weights(), w, OUT, IN);
    // E[Q_sr(dY)] = dY, so E[dX] = dY Q(W)
    float[] expected = fullLinear(dy, N, OUT, transpose(wq, OUT, IN), IN);
    double[] mean = new double[N * IN];
    double err8 = 0;
    int samples = 128;
    try (Backend.Step s = be.openStep()) {
      Tensor xt = be.fromFloats(x, N, IN);
      Tensor wt = be.fromFloats(w, OUT, IN);
      Tensor dyt = be.fromFloats(dy, N, OUT);
      for (int k = 1; k <= samples; k++) {
        Backend.LinearForward f = be.linear(xt, wt, null, recipe, 1000 + k);
        float[] dx = be.toFloats(be.linearBackward(dyt, f, true, false).dx());
        for (int i = 0; i < dx.length; i++) {
          mean[i] += dx[i];
        }
        if (k == 8) {
          err8 = meanError(mean, k, expected);
        }
      }
    }
    double err128 = meanError(mean, samples, expected);
    // independent draws: the error of the mean falls like 1/sqrt(K), 4x from K=8 to K=128;
    // a biased rounding would level off instead
    assertTrue(err128 < 0.5 * err8, "error of the mean: K=8 " + err8 + ", K=128 " + err128);
  }

  private static double meanError(double[] sum, int k, float[] expected) {
    double e = 0;
    double n = 0;
    for (int i = 0; i < sum.length; i++) {
      double d = sum[i] / k - expected[i];
      e += d * d;
      n += (double) expected[i] * expected[i];
    }
    return Math.sqrt(e / n);
  }

  @Test
  void hadamardIsOrthogonalAndLeavesTheProductUnchanged() {
    float[] h = new float[16 * 16];
    for (int i = 0; i < 16; i++) {
      h[i * 16 + i] = 1f;
    }
    Hadamard16.apply(h, 16, 16); // rows of the identity: row i becomes column i of H
    // entries are +-1/4 and every partial sum of products is a multiple of 1/16: exact in float32
    for (int i = 0; i < 16; i++) {
      for (int j = 0; j < 16; j++) {
        float dot = 0;
        for (int k = 0; k < 16; k++) {
          dot += h[i * 16 + k] * h[j * 16 + k];
        }
        assertEquals(i == j ? 1f : 0f, dot, 0f, "(H H^T)[" + i + "][" + j + "]");
      }
    }
    // A B^T over a transformed reduction dimension equals the untransformed product
    float[] a = TinyModels.gaussian(OUT * N, 11, 1);
    float[] b = TinyModels.gaussian(IN * N, 12, 1);
    float[] plain = fullLinear(a, OUT, N, b, IN);
    float[] ha = a.clone();
    float[] hb = b.clone();
    Hadamard16.apply(ha, OUT, N);
    Hadamard16.apply(hb, IN, N);
    float[] rotated = fullLinear(ha, OUT, N, hb, IN);
    // float32 rounding of the transform and of the 64-term sums: ~1e-7 relative each
    assertTrue(relativeError(rotated, plain) < 1e-5, "error " + relativeError(rotated, plain));
  }

  @Test
  void shapesThatAreNotMultiplesOf16AreRejectedByName() {
    LinearPrecision.Nvfp4 recipe = new LinearPrecision.Nvfp4(Nvfp4ScaleRule.STATIC_6);
    try (Backend.Step s = be.openStep()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> be.linear(be.zeros(10, 32), be.zeros(16, 32), null, recipe, 0));
      assertTrue(e.getMessage().contains("NVFP4 linear input [10, 32]"), e.getMessage());
    }
  }

  private static double relativeError(float[] got, float[] want) {
    double e = 0;
    double n = 0;
    for (int i = 0; i < got.length; i++) {
      double d = got[i] - want[i];
      e += d * d;
      n += (double) want[i] * want[i];
    }
    return Math.sqrt(e / n);
  }
}
