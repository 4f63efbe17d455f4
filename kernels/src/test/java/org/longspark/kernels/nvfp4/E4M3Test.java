package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class E4M3Test {
  @Test
  void decodesEveryCodeFromTheFormatDefinition() {
    for (int b = 0; b < 256; b++) {
      int e = (b >> 3) & 15;
      int m = b & 7;
      double mag = e == 0 ? m / 8.0 * Math.pow(2, -6) : (1 + m / 8.0) * Math.pow(2, e - 7);
      float v = E4M3.decode(b);
      if (e == 15 && m == 7) {
        assertTrue(Float.isNaN(v), "code " + b);
      } else {
        assertEquals((b & 0x80) != 0 ? -mag : mag, v, 0.0, "code " + b);
      }
    }
    assertEquals(448f, E4M3.decode(0x7E));
    assertEquals(0x1p-9f, E4M3.decode(1));
  }

  @Test
  void encodeInvertsDecodeForEveryFiniteCode() {
    for (int b = 0; b < 256; b++) {
      if ((b & 0x7F) != 0x7F) {
        assertEquals(b, E4M3.encode(E4M3.decode(b)), "code " + b);
      }
    }
  }

  /** Every boundary between neighbouring positive codes, subnormal ones included, both signs. */
  @Test
  void everyBoundaryBetweenCodesRoundsToNearestEven() {
    for (int b = 0; b < 0x7E; b++) {
      float lo = E4M3.decode(b);
      float hi = E4M3.decode(b + 1);
      float mid = (lo + hi) / 2; // exact: needs one mantissa bit more than E4M3 has
      int even = (b % 2 == 0) ? b : b + 1;
      assertEquals(even, E4M3.encode(mid), "tie " + mid);
      assertEquals(b, E4M3.encode(Math.nextDown(mid)), "below " + mid);
      assertEquals(b + 1, E4M3.encode(Math.nextUp(mid)), "above " + mid);
      assertEquals(0x80 | even, E4M3.encode(-mid), "tie " + -mid);
      assertEquals(0x80 | b, E4M3.encode(-Math.nextDown(mid)), "below " + -mid);
    }
  }

  @Test
  void saturatesAndMapsNaN() {
    assertEquals(0x7E, E4M3.encode(448f));
    assertEquals(0x7E, E4M3.encode(464f)); // the would-be tie with the NaN code
    assertEquals(0x7E, E4M3.encode(1e30f));
    assertEquals(0x7E, E4M3.encode(Float.POSITIVE_INFINITY));
    assertEquals(0xFE, E4M3.encode(Float.NEGATIVE_INFINITY));
    assertEquals(E4M3.NAN, E4M3.encode(Float.NaN));
    assertEquals(0x80, E4M3.encode(-0f));
    assertEquals(0x80, E4M3.encode(-1e-30f));
    assertEquals(0, E4M3.encode(0x1p-10f)); // half the smallest subnormal: tie to even zero
    assertEquals(1, E4M3.encode(Math.nextUp(0x1p-10f)));
  }

  /** Against exact decimal nearest-even over a dense sample of all float magnitudes below 448. */
  @Test
  void matchesExactNearestEvenOnDenseSample() {
    for (int bits = 0; bits < Float.floatToRawIntBits(448f); bits += 4099) {
      float x = Float.intBitsToFloat(bits);
      assertEquals(nearestEven(x), E4M3.encode(x), "x = " + x);
    }
  }

  private static int nearestEven(float x) {
    BigDecimal bx = new BigDecimal(x);
    int best = 0;
    for (int b = 1; b <= 0x7E; b++) {
      int cmp = new BigDecimal(E4M3.decode(b)).subtract(bx).abs()
          .compareTo(new BigDecimal(E4M3.decode(best)).subtract(bx).abs());
      if (cmp < 0 || (cmp == 0 && b % 2 == 0)) {
        best = b;
      }
    }
    return best;
  }
}
