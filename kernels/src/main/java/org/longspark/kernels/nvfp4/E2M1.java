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
   * The spacing 2^s, s = -1 below 2, 0 in [2, 4), 1 above, comes from the exponent bits, and the
   * lower neighbour is k * 2^s. The definition; the hot path uses {@link #STOCHASTIC_FLOOR}.
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


  /**
   * Stochastic rounding tables over the top 10 bits (sign 0, exponent, 1 mantissa bit) of a
   * non-negative float: every such bucket lies inside one gap of the grid (the grid points have at
   * most 1 mantissa bit), so the lower neighbour, its value and 2^24 / gap are per bucket (gap 0 at
   * and above 6, which saturates; also for infinity, where (inf - 6) * 0 is NaN and never rounds
   * up). Then u < frac of the definition, both scaled by 2^24, is exactly
   * {@code (random >>> 8) < (a - lo) * (2^24 / gap)}: a - lo is exact and the scaling is by
   * powers of two.
   */
  private static final byte[] STOCHASTIC_FLOOR = new byte[1 << 9];
  private static final float[] STOCHASTIC_FLOOR_VALUE = new float[1 << 9];
  private static final float[] STOCHASTIC_SCALE = new float[1 << 9];

  static {
    for (int i = 0; i < STOCHASTIC_FLOOR.length; i++) {
      float start = Float.intBitsToFloat(i << 22);
      // random = -1 (u just below 1) never rounds a bucket's start up: its fraction is below 0.75
      int floor = Float.isFinite(start) ? encodeMagnitudeStochastic(start, -1) : 7;
      STOCHASTIC_FLOOR[i] = (byte) floor;
      STOCHASTIC_FLOOR_VALUE[i] = VALUES[floor];
      STOCHASTIC_SCALE[i] = floor == 7 ? 0f : 0x1p24f / (VALUES[floor + 1] - VALUES[floor]);
    }
  }

  /**
   * {@link #encodeMagnitudeStochastic} from tables, with a third of its operations (no int-float
   * conversions of the grid index); equal for every non-negative, non-NaN magnitude.
   */
  static int encodeMagnitudeStochasticBits(float a, int random) {
    int i = Float.floatToRawIntBits(a) >>> 22;
    float scaled = (a - STOCHASTIC_FLOOR_VALUE[i]) * STOCHASTIC_SCALE[i];
    return STOCHASTIC_FLOOR[i] + ((random >>> 8) < scaled ? 1 : 0);
  }
}
