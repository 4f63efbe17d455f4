package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Random123's known-answer vectors (kat_vectors, "philox4x32 10" lines). */
class Philox4x32Test {
  @Test
  void knownAnswers() {
    assertArrayEquals(
        new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, run(0, 0, 0, 0, 0, 0));
    assertArrayEquals(
        new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, run(-1, -1, -1, -1, -1, -1));
    assertArrayEquals(
        new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
        run(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
  }

  @Test
  void elementBitsUseTheGroupAsCounterAndTheSeedAsKey() {
    int[] a = new int[4];
    Philox4x32.elementBits(0x299f31d0a4093822L, 0x85a308d3243f6a88L, a);
    assertArrayEquals(run(0x243f6a88, 0x85a308d3, 0, 0, 0xa4093822, 0x299f31d0), a);
  }

  private static int[] run(int c0, int c1, int c2, int c3, int k0, int k1) {
    int[] out = new int[4];
    Philox4x32.block(c0, c1, c2, c3, k0, k1, out);
    return out;
  }
}
