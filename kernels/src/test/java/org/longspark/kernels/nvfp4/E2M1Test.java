package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class E2M1Test {
  private static final float[] GRID = {0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f};

  @Test
  void decodesEveryCode() {
    for (int c = 0; c < 16; c++) {
      float expected = (c >= 8 ? -1 : 1) * GRID[c & 7];
      assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(E2M1.decode(c)), "code " + c);
    }
  }

  @Test
  void encodeInvertsDecodeForEveryCode() {
    for (int c = 0; c < 16; c++) {
      assertEquals(c, E2M1.encode(E2M1.decode(c)), "code " + c);
    }
  }

  /** At each midpoint between neighbours the even code wins; one ulp either side decides. */
  @Test
  void everyBoundaryBetweenCodesRoundsToNearestEven() {
    for (int c = 0; c < 7; c++) {
      float mid = (GRID[c] + GRID[c + 1]) / 2; // exact: one more mantissa bit than E2M1 has
      int even = (c % 2 == 0) ? c : c + 1;
      for (int sign = 0; sign <= 8; sign += 8) {
        float s = sign == 0 ? 1f : -1f;
        assertEquals(sign | even, E2M1.encode(s * mid), "tie at " + s * mid);
        assertEquals(sign | c, E2M1.encode(s * Math.nextDown(mid)), "below " + s * mid);
        assertEquals(sign | (c + 1), E2M1.encode(s * Math.nextUp(mid)), "above " + s * mid);
      }
    }
  }

  @Test
  void saturatesAtSixAndKeepsTheSignOfZero() {
    assertEquals(7, E2M1.encode(6.0001f));
    assertEquals(7, E2M1.encode(1e30f));
    assertEquals(7, E2M1.encode(Float.POSITIVE_INFINITY));
    assertEquals(15, E2M1.encode(Float.NEGATIVE_INFINITY));
    assertEquals(8, E2M1.encode(-0f));
    assertEquals(8, E2M1.encode(-1e-30f));
    assertEquals(0, E2M1.encode(Float.MIN_VALUE));
    assertThrows(IllegalArgumentException.class, () -> E2M1.encode(Float.NaN));
  }

  /** Against a brute-force nearest search in double over a dense sample of floats in [0, 8]. */
  @Test
  void matchesNearestSearchOnDenseSample() {
    for (int bits = 0; bits <= Float.floatToRawIntBits(8f); bits += 997) {
      float x = Float.intBitsToFloat(bits);
      assertEquals(nearest(x), E2M1.encode(x), "x = " + x);
      assertEquals(8 | nearest(x), E2M1.encode(-x), "x = " + -x);
    }
  }

  private static int nearest(float x) {
    int best = 0;
    for (int c = 1; c < 8; c++) {
      double d = Math.abs(GRID[c] - (double) x);
      double bd = Math.abs(GRID[best] - (double) x);
      if (d < bd || (d == bd && c % 2 == 0)) {
        best = c;
      }
    }
    return best;
  }

  @Test
  void stochasticRoundingPicksANeighbourWithTheRightOdds() {
    // 0.8 lies between 0.5 (code 1) and 1.0 (code 2), 60% of the way up.
    int up = 0;
    int n = 1 << 16;
    for (int i = 0; i < n; i++) {
      int r = i << 16; // u = i / 2^16 spread evenly over [0, 1)
      int c = E2M1.encodeMagnitudeStochastic(0.8f, r);
      assertEquals(true, c == 1 || c == 2, "code " + c);
      up += c == 2 ? 1 : 0;
    }
    // Exactly the fraction of u values below 0.6 on this even grid of u.
    assertEquals((int) Math.ceil(0.6 * n), up, 1);
    assertEquals(4, E2M1.encodeMagnitudeStochastic(2f, -1), "grid values never move");
    assertEquals(7, E2M1.encodeMagnitudeStochastic(100f, 0), "saturates");
  }

  /**
   * The table form equals the definition: every 2^-10-spaced magnitude in [0, 16) and beyond
   * (each table bucket many times), every bucket edge and its neighbours, subnormals, huge values
   * and infinity; each with random words at and around the exact threshold (random >>> 8) ==
   * frac * 2^24 and at the extremes.
   */
  @Test
  void stochasticTablesEqualTheDefinition() {
    java.util.List<Float> magnitudes = new java.util.ArrayList<>();
    for (int k = 0; k < 16 << 10; k++) {
      magnitudes.add(k * 0x1p-10f);
    }
    for (int i = 0; i < 1 << 9; i++) {
      int start = i << 22;
      for (int d = -2; d <= 2; d++) {
        float a = Float.intBitsToFloat(start + d);
        if (a >= 0f && Float.isFinite(a)) {
          magnitudes.add(a);
        }
      }
    }
    java.util.Collections.addAll(magnitudes, Float.MIN_VALUE, 0x1p-130f, 0.7499999f, 5.9999995f,
        6f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY);
    java.util.Random rnd = new java.util.Random(11);
    for (float a : magnitudes) {
      int lo = E2M1.encodeMagnitudeStochastic(a, -1);
      float gap = lo == 7 ? 2f : E2M1.decode(lo + 1) - E2M1.decode(lo);
      int threshold = (int) Math.min((a - E2M1.decode(lo)) / gap * 0x1p24, 1 << 24);
      int[] words = {0, -1, 1 << 8, Integer.MIN_VALUE, rnd.nextInt(), (threshold - 1) << 8,
          threshold << 8, (threshold + 1) << 8, (threshold << 8) | 0xFF};
      for (int r : words) {
        assertEquals(E2M1.encodeMagnitudeStochastic(a, r), E2M1.encodeMagnitudeStochasticBits(a, r),
            "a " + a + " random " + Integer.toHexString(r));
      }
    }
  }
}
