package org.longspark.kernels.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Nvfp4BitPlacementTest {
  private static final int MASK = 0x81C081C0; // sign, e1, e0, m of both bf16 halves

  @Test
  void isAPermutationOfTheWordsBits() {
    int seen = 0;
    for (int i = 0; i < 32; i++) {
      int p = Nvfp4BitPlacement.word(1 << i);
      assertEquals(1, Integer.bitCount(p), "bit " + i);
      seen |= p;
    }
    assertEquals(-1, seen);
  }

  // The kernel's expansion (dequant8_bitplaced), step by step: rotations 0, 4, 10 and 6|14, then
  // the masks; every pair must hold the codes (2p, 2p+1) at bf16 bits 6, 7, 8 (m, e0, e1) and 15.
  @Test
  void theKernelsRotationsAndMasksGiveBackEveryCodeInPairOrder() {
    Random rnd = new Random(11);
    for (int trial = 0; trial < 20_000; trial++) {
      int w = trial < 16 ? 0x11111111 * trial : rnd.nextInt();
      int[] pairs = Expansion.pairs(Nvfp4BitPlacement.word(w));
      for (int p = 0; p < 4; p++) {
        assertEquals(0, pairs[p] & ~MASK);
        for (int h = 0; h < 2; h++) {
          int half = pairs[p] >>> (16 * h);
          int code = (half >>> 6 & 7) | (half >>> 12 & 8);
          assertEquals((w >>> (4 * (2 * p + h))) & 15, code, "word " + Integer.toHexString(w) + " pair " + p + " half " + h);
        }
      }
    }
  }

  @Test
  void placesWholeWordsLittleEndian() {
    byte[] codes = {0x21, 0x43, 0x65, (byte) 0x87, 0, 0, 0, 0};
    byte[] out = Nvfp4BitPlacement.place(codes);
    int p = (out[0] & 0xFF) | (out[1] & 0xFF) << 8 | (out[2] & 0xFF) << 16 | (out[3] & 0xFF) << 24;
    assertEquals(Nvfp4BitPlacement.word(0x87654321), p);
    assertEquals(0, out[4] | out[5] | out[6] | out[7]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nvfp4BitPlacement.place(new byte[6]));
    assertTrue(e.getMessage().contains("whole 32-bit words"), e.getMessage());
  }

  @Test
  void pairedRowsAlternateSixtyFourBytePiecesOfTwoRows() {
    int rows = 4, cols = 256; // 128 bytes a row: two pieces
    byte[] codes = new byte[rows * cols / 2];
    new Random(3).nextBytes(codes);
    byte[] rowOrder = Nvfp4BitPlacement.place(codes);
    byte[] paired = Nvfp4BitPlacement.place(codes, rows, cols, Nvfp4CodeOrder.BIT_PLACED_PAIRED);
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < cols / 2; b++) {
        int at = (r / 2) * cols + (b / 64) * 128 + (r % 2) * 64 + b % 64;
        assertEquals(rowOrder[r * cols / 2 + b], paired[at], "row " + r + " byte " + b);
      }
    }
    assertArrayEquals(rowOrder, Nvfp4BitPlacement.place(codes, rows, cols, Nvfp4CodeOrder.BIT_PLACED));
  }

  @Test
  void pairedRowsRejectShapesThatDoNotPair() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Nvfp4BitPlacement.place(new byte[3 * 64], 3, 128, Nvfp4CodeOrder.BIT_PLACED_PAIRED));
    assertTrue(e.getMessage().contains("even row count"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Nvfp4BitPlacement.place(new byte[2 * 32], 2, 64, Nvfp4CodeOrder.BIT_PLACED_PAIRED));
    assertTrue(e.getMessage().contains("cols % 128 == 0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Nvfp4BitPlacement.place(new byte[100], 2, 128, Nvfp4CodeOrder.BIT_PLACED_PAIRED));
    assertTrue(e.getMessage().contains("128 bytes; got 100"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Nvfp4BitPlacement.place(new byte[128], 2, 128, Nvfp4CodeOrder.CODEC));
    assertTrue(e.getMessage().contains("bit-placed order"), e.getMessage());
  }

  @Test
  void theFastestOrderIsPairedForNvfp4ActivationsOnly() {
    assertEquals(Nvfp4CodeOrder.BIT_PLACED, Nvfp4CodeOrder.fastestBitPlacedFor(GemmKernels.Op.W4A16));
    assertEquals(Nvfp4CodeOrder.BIT_PLACED_PAIRED, Nvfp4CodeOrder.fastestBitPlacedFor(GemmKernels.Op.W4A4));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Nvfp4CodeOrder.fastestBitPlacedFor(GemmKernels.Op.LINEAR));
    assertTrue(e.getMessage().contains("not by LINEAR"), e.getMessage());
  }

  /** The CUDA expansion's integer part, written out. */
  private static final class Expansion {
    static int[] pairs(int w) {
      return new int[] {
        w & MASK,
        Integer.rotateLeft(w, 4) & MASK,
        Integer.rotateLeft(w, 10) & MASK,
        (Integer.rotateLeft(w, 6) & 0x80C080C0) | (Integer.rotateLeft(w, 14) & 0x01000100)
      };
    }
  }
}
