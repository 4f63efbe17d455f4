package org.longspark.kernels.nvfp4;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fused fake quantization of STATIC_6 blocks on the JDK Vector API: each block's amax, E4M3
 * scale, E2M1 rounding (nearest even or stochastic) and decode, without codes in between. Bit for
 * bit {@code quantize(...).dequantize()}: the same float32 operations as the scalar codec
 * ({@code sf = e4m3(bamax * (S_enc * (1/6)))}, {@code y = x * mult}, then
 * {@code (e2m1 * sf) * S_dec}); only the rounding to the E2M1 grid is computed arithmetically
 * instead of from the codec's tables, and {@code Nvfp4FakeQuantizationTest} and
 * {@code Nvfp4FakeQuantizerWidthsTest} check the two agree on every element.
 *
 * <p>Any vector width whose lane count divides 16 works (a block row is 16 / lanes vectors); with
 * AVX-512 one vector is one block row. Needs {@code --add-modules jdk.incubator.vector};
 * {@link Nvfp4Quantizer} falls back to encoding and decoding when the module is absent.
 */
final class Nvfp4FakeQuantizer {
  private static final float SIX_INV = 1f / 6f;

  /** The preferred float species, at most 16 lanes (one block row). */
  static final VectorSpecies<Float> PREFERRED = FloatVector.SPECIES_PREFERRED.length() > 16
      ? FloatVector.SPECIES_512
      : FloatVector.SPECIES_PREFERRED;

  private Nvfp4FakeQuantizer() {}

  /**
   * Replaces rows {@code [fromRow, toRow)} of {@code x} (blocks of {@code blockRows} x 16) by
   * their STATIC_6 fake quantization for global scales {@code sEnc}, {@code sDec}.
   */
  static void rows(float[] x, int cols, int blockRows, float sEnc, float sDec,
      boolean stochastic, long seed, int fromRow, int toRow, VectorSpecies<Float> fs) {
    VectorSpecies<Integer> is = VectorSpecies.of(int.class, fs.vectorShape());
    int lanes = fs.length();
    int[] random = new int[16];
    // no vector crosses a branch or a loop iteration (C2 in JDK 17 boxes a vector at a merge
    // point, which allocated about 200 bytes per block row in a first version)
    for (int r = fromRow; r < toRow; r += blockRows) {
      for (int c = 0; c < cols; c += 16) {
        float bamax = 0f;
        for (int i = 0; i < blockRows; i++) {
          int base = (r + i) * cols + c;
          for (int j = 0; j < 16; j += lanes) {
            bamax = Math.max(bamax,
                FloatVector.fromArray(fs, x, base + j).abs().reduceLanes(VectorOperators.MAX));
          }
        }
        float sf = E4M3.decode(E4M3.encode(bamax * (sEnc * SIX_INV)));
        float mult = Math.min(1f / (sf * sDec), Float.MAX_VALUE);
        for (int i = 0; i < blockRows; i++) {
          int base = (r + i) * cols + c;
          if (stochastic) {
            Philox4x32.elementBits16(seed, (long) base >>> 2, random, 0);
            for (int j = 0; j < 16; j += lanes) {
              roundStochastic(FloatVector.fromArray(fs, x, base + j).mul(mult),
                  IntVector.fromArray(is, random, j))
                  .mul(sf).mul(sDec).intoArray(x, base + j);
            }
          } else {
            for (int j = 0; j < 16; j += lanes) {
              roundNearestEven(FloatVector.fromArray(fs, x, base + j).mul(mult))
                  .mul(sf).mul(sDec).intoArray(x, base + j);
            }
          }
        }
      }
    }
  }

  /**
   * The E2M1 value nearest to each lane, ties to the even code, saturating at 6, with the lane's
   * sign (so small negatives give -0): the grid step is 0.5 below 2, 1 below 4 and 2 above, and
   * adding then subtracting 2^23 times the step rounds to a multiple of the step, ties to the
   * even multiple, which is the even code (float32 addition rounds to nearest even).
   */
  static FloatVector roundNearestEven(FloatVector y) {
    FloatVector a = y.abs().min(E2M1.MAX);
    FloatVector magic = a.broadcast(0x1p22f)
        .blend(0x1p23f, a.compare(VectorOperators.GE, 2f))
        .blend(0x1p24f, a.compare(VectorOperators.GE, 4f));
    return withSign(a.add(magic).sub(magic), y);
  }

  /**
   * Stochastic rounding of each lane between its two grid neighbours
   * ({@link E2M1#encodeMagnitudeStochastic}): up when {@code random >>> 8 < (a - lo) * 2^24 / step},
   * all exact in float32; at and above 6 the gap is empty and the value saturates to 6. No
   * int-float conversions (JDK 17's C2 does not compile them to vector instructions here): the
   * floor is the nearest multiple of the step, less a step when that is above, and the 24 random
   * bits become a float from two exact halves.
   */
  static FloatVector roundStochastic(FloatVector y, IntVector random) {
    FloatVector a = y.abs().min(E2M1.MAX);
    VectorMask<Float> ge2 = a.compare(VectorOperators.GE, 2f);
    VectorMask<Float> ge4 = a.compare(VectorOperators.GE, 4f);
    FloatVector step = a.broadcast(0.5f).blend(1f, ge2).blend(2f, ge4);
    FloatVector magic = step.mul(0x1p23f);
    FloatVector nearest = a.add(magic).sub(magic);
    FloatVector lo = nearest.sub(step, nearest.compare(VectorOperators.GT, a));
    FloatVector scaled = a.sub(lo).mul(a.broadcast(0x1p24f).div(step));
    IntVector bits = random.lanewise(VectorOperators.LSHR, 8);
    FloatVector u = exactFloat(bits.lanewise(VectorOperators.LSHR, 1)).mul(2f)
        .add(exactFloat(bits.and(1)));
    return withSign(lo.add(step, u.compare(VectorOperators.LT, scaled)), y);
  }

  /** The float value of each lane of {@code v} (below 2^23), exactly. */
  private static FloatVector exactFloat(IntVector v) {
    return v.or(0x4B000000).reinterpretAsFloats().sub(0x1p23f);
  }

  /** {@code magnitude} with the sign bits of {@code y}. */
  private static FloatVector withSign(FloatVector magnitude, FloatVector y) {
    return magnitude.reinterpretAsInts()
        .or(y.reinterpretAsInts().and(0x80000000))
        .reinterpretAsFloats();
  }
}
