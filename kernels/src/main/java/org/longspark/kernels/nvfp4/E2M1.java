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
    return signBit(x) | encodeMagnitude(Math.abs(x));
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
   * Nearest-even code of a non-negative, non-NaN magnitude. The thresholds are the midpoints
   * between neighbours: at a midpoint the even code wins, so the comparison is {@code >} below an
   * even code and {@code >=} below an odd one.
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
   * Stochastic rounding of a non-negative magnitude between its two neighbouring codes: rounds up
   * with probability (a - lo) / (hi - lo), decided by 24 bits of {@code random}; saturates at 6.
   * Every step is exact in float32 (the grid spacings are powers of two), so Java and CUDA agree.
   */
  static int encodeMagnitudeStochastic(float a, int random) {
    if (a >= MAX) {
      return 7;
    }
    float step = a < 2f ? 0.5f : (a < 4f ? 1f : 2f);
    float lo = (float) Math.floor(a / step) * step;
    float frac = (a - lo) / step;
    float u = (random >>> 8) * 0x1p-24f;
    int loCode = encodeMagnitude(lo);
    return u < frac ? loCode + 1 : loCode;
  }
}
