package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Nvfp4QuantizerTest {
  private static float[] gaussian(int n, long seed, double scale) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (r.nextGaussian() * scale);
    }
    return x;
  }

  private static double relativeError(float[] approx, float[] exact) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < exact.length; i++) {
      double d = approx[i] - (double) exact[i];
      num += d * d;
      den += (double) exact[i] * exact[i];
    }
    return Math.sqrt(num / den);
  }

  @Test
  void defaultsAreRowNearestStaticWithoutHadamard() {
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().build();
    assertEquals(Nvfp4Layout.ROW_1x16, q.layout());
    assertEquals(Nvfp4Rounding.NEAREST_EVEN, q.rounding());
    assertEquals(Nvfp4ScaleRule.STATIC_6, q.scaleRule());
    assertFalse(q.hadamard());
  }

  /**
   * Each element lands on the nearest of the block's grid points, so the error is at most half
   * the widest grid gap (2 at the top, times the block scale) and, for a Gaussian, the relative
   * Frobenius error of E2M1 with per-16 scales is near 0.1 (the usual NVFP4 figure).
   */
  @Test
  void dequantizeIsCloseAndEveryElementWithinHalfAGap() {
    float[] x = gaussian(128 * 256, 1, 3.0);
    Nvfp4Tensor t = Nvfp4Quantizer.builder().build().quantize(x, 128, 256);
    float[] y = t.dequantize();
    double rel = relativeError(y, x);
    assertTrue(rel > 0.05 && rel < 0.15, "relative error " + rel);
    for (int i = 0; i < x.length; i++) {
      float sf = E4M3.decode(t.scaleCode(i / 256, i % 256)) * t.globalDecodeScale();
      assertTrue(Math.abs(y[i] - x[i]) <= 1.0 * sf * 1.0001 + 1e-30, "element " + i);
    }
  }

  @Test
  void tileLayoutSharesScalesWithTheTranspose() {
    int rows = 64;
    int cols = 96;
    float[] w = gaussian(rows * cols, 2, 1.0);
    float[] wt = new float[w.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        wt[c * rows + r] = w[r * cols + c];
      }
    }
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().layout(Nvfp4Layout.TILE_16x16).build();
    Nvfp4Tensor a = q.quantize(w, rows, cols);
    Nvfp4Tensor b = q.quantize(wt, cols, rows);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        assertEquals(a.scaleCode(r, c), b.scaleCode(c, r));
        assertEquals(a.code(r, c), b.code(c, r));
      }
    }
  }

  @Test
  void bf16InputEqualsItsExactFloatWidening() {
    float[] x = gaussian(32 * 64, 3, 10.0);
    short[] bf = new short[x.length];
    float[] widened = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      bf[i] = (short) (Float.floatToRawIntBits(x[i]) >>> 16);
      widened[i] = Float.intBitsToFloat(bf[i] << 16);
    }
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().scaleRule(Nvfp4ScaleRule.FOUR_OVER_SIX).hadamard(true).build();
    Nvfp4Tensor a = q.quantizeBf16(bf, 32, 64);
    Nvfp4Tensor b = q.quantize(widened, 32, 64);
    assertArrayEquals(b.packed(), a.packed());
    assertArrayEquals(b.scales(), a.scales());
  }

  /**
   * The mean of many independently seeded roundings approaches the input like 1/sqrt(samples).
   * Elements above 6 block units are excluded: when a block's E4M3 scale rounds down its largest
   * element saturates, a bias of the format, not of the rounding.
   */
  @Test
  void stochasticRoundingIsUnbiased() {
    int rows = 16;
    int cols = 64;
    float[] x = gaussian(rows * cols, 4, 1.0);
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().rounding(Nvfp4Rounding.STOCHASTIC).build();
    Nvfp4Tensor first = q.quantize(x, rows, cols);
    boolean[] inRange = new boolean[x.length];
    int kept = 0;
    for (int i = 0; i < x.length; i++) {
      float unit = E4M3.decode(first.scaleCode(i / cols, i % cols)) * first.globalDecodeScale();
      inRange[i] = Math.abs(x[i]) <= 6 * unit;
      kept += inRange[i] ? 1 : 0;
    }
    assertTrue(kept > x.length * 0.9, "elements in range: " + kept);
    double[] sum = new double[x.length];
    double errAt16 = 0;
    int samples = 1024;
    for (int s = 1; s <= samples; s++) {
      float[] y = q.withSeed(s).quantize(x, rows, cols).dequantize();
      for (int i = 0; i < x.length; i++) {
        sum[i] += y[i];
      }
      if (s == 16) {
        errAt16 = meanError(sum, s, x, inRange);
      }
    }
    double errAtEnd = meanError(sum, samples, x, inRange);
    // 64x the samples: the error of the mean should shrink about 8x; a bias would stall it.
    assertTrue(errAtEnd < errAt16 / 6, "error of the mean " + errAt16 + " -> " + errAtEnd);
  }

  private static double meanError(double[] sum, int n, float[] x, boolean[] use) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < x.length; i++) {
      if (use[i]) {
        double d = sum[i] / n - x[i];
        num += d * d;
        den += (double) x[i] * x[i];
      }
    }
    return Math.sqrt(num / den);
  }

  @Test
  void sameSeedSameCodesOtherSeedOtherCodes() {
    float[] x = gaussian(32 * 32, 5, 1.0);
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().rounding(Nvfp4Rounding.STOCHASTIC).seed(7).build();
    assertArrayEquals(q.quantize(x, 32, 32).packed(), q.quantize(x, 32, 32).packed());
    assertFalse(java.util.Arrays.equals(q.quantize(x, 32, 32).packed(), q.withSeed(8).quantize(x, 32, 32).packed()));
  }

  @Test
  void fourOverSixLowersTheErrorOnGaussianData() {
    float[] x = gaussian(256 * 256, 6, 1.0);
    double e6 = relativeError(Nvfp4Quantizer.builder().build().quantize(x, 256, 256).dequantize(), x);
    double e46 =
        relativeError(
            Nvfp4Quantizer.builder().scaleRule(Nvfp4ScaleRule.FOUR_OVER_SIX).build().quantize(x, 256, 256).dequantize(), x);
    assertTrue(e46 < e6, "4/6 error " + e46 + " vs static-6 " + e6);
  }

  /** The transform is orthogonal: dot products along rows survive it up to float32 rounding. */
  @Test
  void hadamardPreservesDotProducts() {
    int n = 4 * 1024;
    float[] a = gaussian(n, 7, 1.0);
    float[] b = gaussian(n, 8, 1.0);
    double before = dot(a, b);
    double normBefore = dot(a, a);
    Hadamard16.apply(a, 16, n / 16);
    Hadamard16.apply(b, 16, n / 16);
    assertEquals(before, dot(a, b), 1e-5 * Math.sqrt(normBefore * n));
    assertEquals(normBefore, dot(a, a), 1e-5 * normBefore);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  @Test
  void rejectsBadShapesNamingTheDimension() {
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.quantize(new float[16 * 24], 16, 24));
    assertTrue(e.getMessage().contains("cols") && e.getMessage().contains("24"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> q.quantize(new float[8 * 16], 8, 16));
    assertTrue(e.getMessage().contains("rows") && e.getMessage().contains("8"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> q.quantize(new float[100], 16, 16));
    assertTrue(e.getMessage().contains("100"), e.getMessage());
  }

  @Test
  void rejectsNonFiniteInputNamingTheFirstBadIndex() {
    float[] x = gaussian(32 * 32, 9, 1.0);
    x[5 * 32 + 7] = Float.POSITIVE_INFINITY;
    x[9 * 32 + 1] = Float.NaN;
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.quantize(x, 32, 32));
    assertTrue(e.getMessage().contains("index 167") && e.getMessage().contains("row 5, col 7"), e.getMessage());
    short[] bf = new short[32 * 32];
    bf[40] = (short) 0x7FC0; // BF16 NaN
    e = assertThrows(IllegalArgumentException.class, () -> q.quantizeBf16(bf, 32, 32));
    assertTrue(e.getMessage().contains("index 40"), e.getMessage());
  }

  @Test
  void binaryFormRoundTripsAndRejectsForeignBytes() throws IOException {
    Nvfp4Tensor t =
        Nvfp4Quantizer.builder().layout(Nvfp4Layout.TILE_16x16).hadamard(true).build()
            .quantize(gaussian(48 * 32, 10, 2.0), 48, 32);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    t.write(new DataOutputStream(bytes));
    assertEquals(t.serializedBytes(), bytes.size());
    Nvfp4Tensor back = Nvfp4Tensor.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertEquals(48, back.rows());
    assertEquals(32, back.cols());
    assertEquals(Nvfp4Layout.TILE_16x16, back.layout());
    assertTrue(back.hadamard());
    assertArrayEquals(t.packed(), back.packed());
    assertArrayEquals(t.scales(), back.scales());
    assertArrayEquals(t.dequantize(), back.dequantize());
    byte[] corrupt = bytes.toByteArray();
    corrupt[0] = 'X';
    IOException e = assertThrows(IOException.class, () -> Nvfp4Tensor.read(new DataInputStream(new ByteArrayInputStream(corrupt))));
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
  }
}
