package org.longspark.kernels.nvfp4;

/**
 * The 8-bit float E4M3 "fn" variant (bias 7, no infinities, NaN = S.1111.111, max ±448) used for
 * NVFP4 block scales.
 */
public final class E4M3 {
  /** Largest finite magnitude. */
  public static final float MAX = 448f;

  /** The canonical NaN code. */
  public static final int NAN = 0x7F;

  private static final float[] VALUES = new float[256];

  static {
    for (int b = 0; b < 256; b++) {
      VALUES[b] = slowDecode(b);
    }
  }

  private E4M3() {}

  /**
   * Rounds to the nearest E4M3 value, ties to even, saturating to ±448 (infinities too); NaN gives
   * {@link #NAN}. The sign of zero is kept.
   */
  public static int encode(float x) {
    int bits = Float.floatToRawIntBits(x);
    int sign = (bits >>> 24) & 0x80;
    float a = Math.abs(x);
    if (Float.isNaN(a)) {
      return NAN;
    }
    if (a >= MAX) {
      return sign | 0x7E;
    }
    if (a < 0x1p-6f) {
      // Subnormal range: multiples of 2^-9; scaling by 2^9 is exact, rint rounds half to even.
      return sign | (int) Math.rint(a * 0x1p9f);
    }
    int abits = Float.floatToRawIntBits(a);
    int exp = (abits >>> 23) - 127;
    int mant = abits & 0x7FFFFF;
    int m3 = mant >>> 20;
    int rest = mant & 0xFFFFF;
    // round half to even without a branch (random mantissas mispredict one): up exactly when
    // rest + (m3 & 1) > 0x80000; the sum stays below 2^21
    m3 += (rest + (m3 & 1) + 0x7FFFF) >>> 20;
    // A mantissa carry moves to the next binade; the result stays <= 448 because a < 448.
    return sign | (((exp + 7) << 3) + m3);
  }

  /** The value of a code; only the low 8 bits are read. */
  public static float decode(int bits) {
    return VALUES[bits & 0xFF];
  }

  private static float slowDecode(int b) {
    int e = (b >>> 3) & 0xF;
    int m = b & 7;
    float sign = (b & 0x80) != 0 ? -1f : 1f;
    if (e == 0xF && m == 7) {
      return Float.NaN;
    }
    float mag = e == 0 ? m * 0x1p-9f : (1f + m / 8f) * (float) Math.pow(2, e - 7);
    return sign * mag;
  }
}
