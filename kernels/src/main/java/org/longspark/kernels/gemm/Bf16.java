package org.longspark.kernels.gemm;

/** bfloat16 bit patterns (the upper half of a float32) held in Java shorts. */
public final class Bf16 {
  private Bf16() {}

  /** Round to nearest, ties to even; NaN stays NaN. */
  public static short fromFloat(float f) {
    int u = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((u >>> 16) | 0x40);
    }
    u += 0x7FFF + ((u >>> 16) & 1);
    return (short) (u >>> 16);
  }

  /** Exact widening. */
  public static float toFloat(short b) {
    return Float.intBitsToFloat(b << 16);
  }

  public static short[] fromFloats(float[] src) {
    short[] out = new short[src.length];
    for (int i = 0; i < src.length; i++) {
      out[i] = fromFloat(src[i]);
    }
    return out;
  }

  public static float[] toFloats(short[] src) {
    float[] out = new float[src.length];
    for (int i = 0; i < src.length; i++) {
      out[i] = toFloat(src[i]);
    }
    return out;
  }
}
