package org.longspark.kernels.nvfp4;

/**
 * The 4-bit float E2M1 (sign, 2 exponent bits, 1 mantissa bit, no infinities or NaN). Codes 0..7
 * are {0, 0.5, 1, 1.5, 2, 3, 4, 6}; codes 8..15 are their negatives (8 is -0).
 */
public final class E2M1 {
  /** Largest magnitude. */
  public static final float MAX = 6f;

  private static final float[] VALUES = {
    0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f
  };

  private E2M1() {}

  /**
   * Rounds to the nearest E2M1 value, ties to the even code, saturating to ±6; the sign is kept,
   * so small negatives become -0 (code 8), as in hardware and ml_dtypes casts.
   *
   * @throws IllegalArgumentException for NaN, which E2M1 cannot represent
   */
  public static int encode(float x) {
    if (Float.isNaN(x)) {
      throw new IllegalArgumentException("E2M1 has no NaN: cannot encode " + x);
    }
    return signBit(x) | encodeMagnitudeBits(Float.floatToRawIntBits(x) & 0x7FFFFFFF);
  }

  /** The value of a code; only the low 4 bits are read. */
  public static float decode(int bits) {
    return VALUES[bits & 0xF];
  }

  /** 8 for a negative sign bit (including -0), else 0. */
  static int signBit(float x) {
    return (Float.floatToRawIntBits(x) >>> 28) & 8;
  }

  /**
   * Nearest-even code of a non-negative, non-NaN magnitude, from the midpoints between
   * neighbouring codes: at a midpoint the even code wins, so the test is {@code >} below an even
   * code and {@code >=} below an odd one. The definition; the hot path uses {@link #ROUNDING}.
   */
  static int encodeMagnitude(float a) {
    return (a > 0.25f ? 1 : 0)
        + (a >= 0.75f ? 1 : 0)
        + (a > 1.25f ? 1 : 0)
        + (a >= 1.75f ? 1 : 0)
        + (a > 2.5f ? 1 : 0)
        + (a >= 3.5f ? 1 : 0)
        + (a > 5f ? 1 : 0);
  }

  /**
   * Rounding table over the top 11 bits (exponent and 2 mantissa bits) of a non-negative float.
   * Every midpoint has at most 2 mantissa bits, so it starts a bucket and all values inside a
   * bucket share a code. Only the bucket's first value can differ (a midpoint that rounds down to
   * the even code); entry = code << 1 | (that difference).
   */
  private static final byte[] ROUNDING = new byte[1 << 10];

  static {
    for (int i = 0; i < ROUNDING.length; i++) {
      float start = Float.intBitsToFloat(i << 21);
      float inside = Float.intBitsToFloat((i << 21) | 1);
      int insideCode = Float.isNaN(inside) ? 7 : encodeMagnitude(inside);
      int startCode = Float.isNaN(start) ? 7 : encodeMagnitude(start);
      ROUNDING[i] = (byte) ((insideCode << 1) | (insideCode - startCode));
    }
  }

  /**
   * Nearest-even code from the bits of a non-negative, non-NaN float: a table lookup with no
   * branches (random data would mispredict the comparisons of {@link #encodeMagnitude}).
   */
  static int encodeMagnitudeBits(int a) {
    int e = ROUNDING[a >>> 21];
    int bucketStart = ((a & 0x1FFFFF) - 1) >>> 31;
    return (e >> 1) - (e & bucketStart);
  }

  /**
   * Stochastic rounding of a non-negative magnitude between its two neighbouring codes: rounds up
   * with probability (a - lo) / (hi - lo), decided by 24 bits of {@code random}; saturates at 6.
   * Every step is exact in float32 (the grid spacings are powers of two), so Java and CUDA agree.
   * Written without branches (random data would mispredict them): the spacing 2^s, s = -1 below
   * 2, 0 in [2, 4), 1 above, comes from the exponent bits, and the lower neighbour is k * 2^s.
   */
  static int encodeMagnitudeStochastic(float a, int random) {
    int s = Math.min(Math.max((Float.floatToRawIntBits(a) >>> 23) - 127, 0), 2) - 1;
    float step = Float.intBitsToFloat((127 + s) << 23);
    float invStep = Float.intBitsToFloat((127 - s) << 23);
    int k = Math.min((int) (a * invStep), 4); // floor for a >= 0; the bound keeps huge values small
    float frac = (a - k * step) * invStep;
    float u = (random >>> 8) * 0x1p-24f;
    return Math.min(k + 2 * (s + 1) + (u < frac ? 1 : 0), 7);
  }

}
