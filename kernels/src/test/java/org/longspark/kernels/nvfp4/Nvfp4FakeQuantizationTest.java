package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused fake quantization ({@link Nvfp4Quantizer#quantizeDequantize} and its two passes over
 * row ranges) against {@code quantize(...).dequantize()}, bit for bit (raw float bits, so -0 and
 * +0 differ): on every golden-vector case (all 16 option combinations in float32 and BF16, ties,
 * zeros, subnormals, outliers) and on every option combination with several seeds.
 */
class Nvfp4FakeQuantizationTest {

  static Stream<GoldenVectorsTest.GoldenCase> goldenCases() {
    return GoldenVectorsTest.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void equalsQuantizeThenDequantizeOnGoldenInputs(GoldenVectorsTest.GoldenCase c) {
    float[] x = goldenInput(c);
    float[] expected = c.bf16()
        ? c.quantizer().quantizeBf16(toBf16(x), c.rows(), c.cols()).dequantize()
        : c.quantizer().quantize(x, c.rows(), c.cols()).dequantize();
    assertFused(c.quantizer(), x, c.rows(), c.cols(), expected, c.toString());
  }

  /** All 16 combinations of layout, rounding, scale rule and Hadamard, three seeds each. */
  static Stream<Nvfp4Quantizer> everyOption() {
    List<Nvfp4Quantizer> out = new ArrayList<>();
    for (Nvfp4Layout layout : Nvfp4Layout.values()) {
      for (Nvfp4Rounding rounding : Nvfp4Rounding.values()) {
        for (Nvfp4ScaleRule rule : Nvfp4ScaleRule.values()) {
          for (boolean hadamard : new boolean[] {false, true}) {
            for (long seed : new long[] {0L, 42L, 0x9E3779B97F4A7C15L}) {
              out.add(Nvfp4Quantizer.builder().layout(layout).rounding(rounding).scaleRule(rule)
                  .hadamard(hadamard).seed(seed).build());
            }
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyOption")
  void equalsQuantizeThenDequantizeForEveryOption(Nvfp4Quantizer q) {
    int rows = 96;
    int cols = 80;
    float[] x = heavyTailed(rows * cols, q.seed() ^ q.hashCode());
    float[] expected = q.quantize(x, rows, cols).dequantize();
    assertFused(q, x, rows, cols, expected, q.toString());
  }

  /**
   * Checks the fused call, in place and into another array (leaving the source untouched), and
   * the two passes run over 16-row ranges in reverse order, as a thread split might.
   */
  private static void assertFused(
      Nvfp4Quantizer q, float[] x, int rows, int cols, float[] expected, String what) {
    float[] source = x.clone();
    float[] dst = new float[x.length];
    q.quantizeDequantize(source, rows, cols, dst);
    assertSameBits(expected, dst, what + " into another array");
    assertSameBits(x, source, what + " source untouched");
    float[] inPlace = x.clone();
    q.quantizeDequantize(inPlace, rows, cols, inPlace);
    assertSameBits(expected, inPlace, what + " in place");
    float[] split = x.clone();
    float amax = 0f;
    for (int r = rows - 16; r >= 0; r -= 16) {
      amax = Math.max(amax, q.prepareRows(split, rows, cols, r, r + 16));
    }
    for (int r = rows - 16; r >= 0; r -= 16) {
      q.quantizeDequantizeRows(split, rows, cols, amax, r, r + 16);
    }
    assertSameBits(expected, split, what + " split into 16-row ranges");
  }

  @Test
  void philoxLanesEqualSingleBlocksAcrossTheHighWordOfTheCounter() {
    int[] four = new int[4];
    int[] sixteen = new int[16 + 3];
    for (long group : new long[] {0L, 4L, 0xFFFFFFFEL, 0x12345678_FFFFFFFDL, -4L}) {
      long seed = 0x0123456789ABCDEFL ^ group;
      Philox4x32.elementBits16(seed, group, sixteen, 3);
      for (int lane = 0; lane < 4; lane++) {
        Philox4x32.elementBits(seed, group + lane, four);
        for (int w = 0; w < 4; w++) {
          assertEquals(four[w], sixteen[3 + 4 * lane + w], "group " + group + " lane " + lane);
        }
      }
    }
  }

  @Test
  void rejectsRowRangesThatSplitATileOrLeaveTheMatrix() {
    Nvfp4Quantizer tile = Nvfp4Quantizer.builder().layout(Nvfp4Layout.TILE_16x16).build();
    float[] x = heavyTailed(32 * 16, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> tile.quantizeDequantizeRows(x, 32, 16, 1f, 8, 32));
    assertTrue(e.getMessage().contains("[8, 32)") && e.getMessage().contains("16"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> tile.prepareRows(x, 32, 16, 0, 48));
    assertTrue(e.getMessage().contains("[0, 48)") && e.getMessage().contains("32 rows"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> tile.quantizeDequantize(x, 32, 16, new float[16]));
    assertTrue(e.getMessage().contains("16") && e.getMessage().contains("512"), e.getMessage());
  }

  @Test
  void namesTheFirstNonFiniteElementOfARange() {
    float[] x = heavyTailed(32 * 16, 2);
    x[20 * 16 + 3] = Float.NaN;
    Nvfp4Quantizer q = Nvfp4Quantizer.builder().build();
    assertEquals(0f, Math.min(0f, q.prepareRows(x, 32, 16, 0, 16)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> q.prepareRows(x, 32, 16, 16, 32));
    assertTrue(e.getMessage().contains("row 20, col 3"), e.getMessage());
  }

  /** Gaussian values with a few large outliers and exact zeros, so blocks differ in range. */
  private static float[] heavyTailed(int n, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      double v = r.nextGaussian();
      int kind = r.nextInt(50);
      x[i] = (float) (kind == 0 ? v * 1e3 : kind == 1 ? 0.0 : kind == 2 ? -0.0 : v);
    }
    return x;
  }

  private static void assertSameBits(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        fail(what + ": element " + i + " expected " + expected[i] + ", got " + actual[i]);
      }
    }
  }

  private static float[] goldenInput(GoldenVectorsTest.GoldenCase c) {
    String file = "/org/longspark/kernels/nvfp4/golden/" + c.name() + ".input.bin";
    ByteBuffer in;
    try (InputStream s = Nvfp4FakeQuantizationTest.class.getResourceAsStream(file)) {
      if (s == null) {
        throw new IllegalStateException("missing test resource " + file);
      }
      in = ByteBuffer.wrap(s.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    float[] x = new float[c.rows() * c.cols()];
    for (int i = 0; i < x.length; i++) {
      x[i] = c.bf16() ? Float.intBitsToFloat(in.getShort() << 16) : in.getFloat();
    }
    return x;
  }

  /** Exact for inputs that are BF16 values widened (the low 16 bits are zero). */
  private static short[] toBf16(float[] x) {
    short[] b = new short[x.length];
    for (int i = 0; i < x.length; i++) {
      b[i] = (short) (Float.floatToRawIntBits(x[i]) >>> 16);
    }
    return b;
  }
}
