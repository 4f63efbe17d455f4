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
 * <p>Runs on the preferred species (any lane count divides 16: a block row is 16 / lanes vectors;
 * with AVX-512 one vector is one block row); the roundings are lane-wise and tested at every
 * width. The species are constants, not parameters: C2 compiles a Vector API call to vector
 * instructions only where the species is a compile-time constant, and boxes every vector
 * otherwise. Needs {@code --add-modules jdk.incubator.vector}; {@link Nvfp4Quantizer} falls back
 * to encoding and decoding when the module is absent.
 */
final class Nvfp4FakeQuantizer {
  private static final float SIX_INV = 1f / 6f;

  /** The preferred float species, at most 16 lanes (one block row). */
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.length() > 16
      ? FloatVector.SPECIES_512
      : FloatVector.SPECIES_PREFERRED;
  /** Random bits, as many lanes as {@link #FLOATS}. */
  private static final VectorSpecies<Integer> INTS =
      VectorSpecies.of(int.class, FLOATS.vectorShape());
  private static final int LANES = FLOATS.length();

  private Nvfp4FakeQuantizer() {}

  /**
   * Replaces rows {@code [fromRow, toRow)} of {@code x} (blocks of {@code blockRows} x 16) by
   * their STATIC_6 fake quantization for global scales {@code sEnc}, {@code sDec}.
   */
  static void rows(float[] x, int cols, int blockRows, float sEnc, float sDec,
      boolean stochastic, long seed, int fromRow, int toRow) {
    // one method per rounding, each compiled on its own: a single method with both, hot in the
    // training step, outgrew C2's inlining budget and left vector calls uninlined (boxed);
    // no vector crosses a branch or a loop iteration either (C2 in JDK 17 boxes a vector at a
    // merge point)
    if (stochastic) {
      stochasticRows(x, cols, blockRows, sEnc, sDec, seed, fromRow, toRow);
    } else {
      nearestEvenRows(x, cols, blockRows, sEnc, sDec, fromRow, toRow);
    }
  }

  private static void nearestEvenRows(float[] x, int cols, int blockRows, float sEnc, float sDec,
      int fromRow, int toRow) {
    for (int r = fromRow; r < toRow; r += blockRows) {
      for (int c = 0; c < cols; c += 16) {
        float sf = blockScale(x, r * cols + c, cols, blockRows, sEnc);
        float mult = Math.min(1f / (sf * sDec), Float.MAX_VALUE);
        for (int i = 0; i < blockRows; i++) {
          int base = (r + i) * cols + c;
          for (int j = 0; j < 16; j += LANES) {
            roundNearestEven(FloatVector.fromArray(FLOATS, x, base + j).mul(mult))
                .mul(sf).mul(sDec).intoArray(x, base + j);
          }
        }
      }
    }
  }

  private static void stochasticRows(float[] x, int cols, int blockRows, float sEnc, float sDec,
      long seed, int fromRow, int toRow) {
    // the random bits of a whole band of block rows (contiguous elements), drawn at once
    int[] random = new int[blockRows * cols];
    for (int r = fromRow; r < toRow; r += blockRows) {
      Philox4x32Lanes.elementBits(seed, (long) (r * cols) >>> 2, blockRows * cols / 4, random, 0);
      for (int c = 0; c < cols; c += 16) {
        float sf = blockScale(x, r * cols + c, cols, blockRows, sEnc);
        float mult = Math.min(1f / (sf * sDec), Float.MAX_VALUE);
        for (int i = 0; i < blockRows; i++) {
          int base = (r + i) * cols + c;
          for (int j = 0; j < 16; j += LANES) {
            roundStochastic(FloatVector.fromArray(FLOATS, x, base + j).mul(mult),
                IntVector.fromArray(INTS, random, i * cols + c + j))
                .mul(sf).mul(sDec).intoArray(x, base + j);
          }
        }
      }
    }
  }

  /**
   * The decoded E4M3 scale of the block whose first element is {@code x[first]}:
   * {@code e4m3(bamax * (S_enc * (1/6)))}.
   */
  private static float blockScale(float[] x, int first, int cols, int blockRows, float sEnc) {
    float bamax = 0f;
    for (int i = 0; i < blockRows; i++) {
      for (int j = 0; j < 16; j += LANES) {
        bamax = Math.max(bamax, FloatVector.fromArray(FLOATS, x, first + i * cols + j).abs()
            .reduceLanes(VectorOperators.MAX));
      }
    }
    return E4M3.decode(E4M3.encode(bamax * (sEnc * SIX_INV)));
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
