package org.longspark.kernels.nvfp4;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Philox4x32}'s element bits for many groups at once on the JDK Vector API, for
 * {@link Nvfp4FakeQuantizer}; a class of its own so that {@link Philox4x32} loads without the
 * {@code jdk.incubator.vector} module.
 */
final class Philox4x32Lanes {
  private Philox4x32Lanes() {}

  /**
   * The words of {@code groups} consecutive groups from {@code group} (elements {@code 4 * group}
   * on) at {@code out[offset..offset + 4 * groups)}, equal to {@link Philox4x32#elementBits} per
   * group: the groups run as the lanes of long vectors (each lane keeps its 32-bit words in the
   * low half, which the 32 x 32 -> 64 bit products need), the groups left over one by one.
   */
  static void elementBits(long seed, long group, int groups, int[] out, int offset) {
    VectorSpecies<Long> species = LongVector.SPECIES_PREFERRED;
    int k0 = (int) seed;
    int k1 = (int) (seed >>> 32);
    int lanes = species.length();
    long[] words = new long[4 * lanes];
    int g = 0;
    for (; g + lanes <= groups; g += lanes) {
      LongVector c0 = LongVector.zero(species).addIndex(1).add(group + g);
      LongVector c1 = c0.lanewise(VectorOperators.LSHR, 32);
      LongVector c2 = LongVector.zero(species);
      LongVector c3 = c2;
      int r0 = k0;
      int r1 = k1;
      for (int round = 0; round < 10; round++) {
        LongVector p0 = c0.and(0xFFFFFFFFL).mul(Philox4x32.M0L);
        LongVector p1 = c2.and(0xFFFFFFFFL).mul(Philox4x32.M1L);
        // upper halves of the new c0, c2 are garbage: the next products mask them off
        c0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c1)
            .lanewise(VectorOperators.XOR, r0 & 0xFFFFFFFFL);
        c1 = p1.and(0xFFFFFFFFL);
        c2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c3)
            .lanewise(VectorOperators.XOR, r1 & 0xFFFFFFFFL);
        c3 = p0.and(0xFFFFFFFFL);
        r0 += Philox4x32.W0;
        r1 += Philox4x32.W1;
      }
      c0.intoArray(words, 0);
      c1.intoArray(words, lanes);
      c2.intoArray(words, 2 * lanes);
      c3.intoArray(words, 3 * lanes);
      int o = offset + 4 * g;
      for (int i = 0; i < lanes; i++) {
        out[o + 4 * i] = (int) words[i];
        out[o + 4 * i + 1] = (int) words[lanes + i];
        out[o + 4 * i + 2] = (int) words[2 * lanes + i];
        out[o + 4 * i + 3] = (int) words[3 * lanes + i];
      }
    }
    for (; g < groups; g++) {
      long gg = group + g;
      Philox4x32.block((int) gg, (int) (gg >>> 32), 0, 0, k0, k1, out, offset + 4 * g);
    }
  }
}
