package org.longspark.kernels.nvfp4;

/**
 * Counter-based Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11). Stochastic rounding draws element {@code i}'s 32 bits as word {@code i & 3} of the block
 * for counter {@code (i >>> 2)} (low word, high word, 0, 0) under key (seed low, seed high); the
 * CUDA kernels compute the same function, so both engines round every element the same way.
 */
public final class Philox4x32 {
  private static final int M0 = 0xD2511F53;
  private static final int M1 = 0xCD9E8D57;
  private static final int W0 = 0x9E3779B9;
  private static final int W1 = 0xBB67AE85;

  private Philox4x32() {}

  /** Ten rounds over counter (c0..c3) and key (k0, k1); writes the 4 output words to {@code out}. */
  public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
    block(c0, c1, c2, c3, k0, k1, out, 0);
  }

  /** As {@link #block(int, int, int, int, int, int, int[])}, writing at {@code out[offset..offset+3]}. */
  public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out, int offset) {
    for (int round = 0; round < 10; round++) {
      long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
      long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
      int hi0 = (int) (p0 >>> 32);
      int lo0 = (int) p0;
      int hi1 = (int) (p1 >>> 32);
      int lo1 = (int) p1;
      c0 = hi1 ^ c1 ^ k0;
      c1 = lo1;
      c2 = hi0 ^ c3 ^ k1;
      c3 = lo0;
      k0 += W0;
      k1 += W1;
    }
    out[offset] = c0;
    out[offset + 1] = c1;
    out[offset + 2] = c2;
    out[offset + 3] = c3;
  }

  /** The 4 words covering elements {@code 4 * group .. 4 * group + 3} for this seed. */
  public static void elementBits(long seed, long group, int[] out) {
    elementBits(seed, group, out, 0);
  }

  /** As {@link #elementBits(long, long, int[])}, writing at {@code out[offset..offset+3]}. */
  public static void elementBits(long seed, long group, int[] out, int offset) {
    block((int) group, (int) (group >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), out, offset);
  }
}
