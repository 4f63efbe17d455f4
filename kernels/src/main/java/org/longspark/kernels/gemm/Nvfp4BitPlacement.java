package org.longspark.kernels.gemm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;

/**
 * The bit-placed code order of the small-M kernel's NVFP4 weights (docs/formats.md), the CPU twin of
 * {@code bitplace_word} in gemm_common.cuh.
 *
 * <p>Each little-endian 32-bit word of the codec's codes (8 codes, code c in bits 4c..4c+3: m, e0,
 * e1, sign) is stored with its bits permuted so that the kernel gets the bf16 pairs (c0, c1),
 * (c2, c3), (c4, c5), (c6, c7) with one rotation and one mask each (two for the last pair): pair p
 * wants code bits m, e0, e1, sign at bf16 bits 6, 7, 8, 15 of its low (even code) or high (odd
 * code) half, and bit j of pair p comes from bit {@code (j - r) mod 32} of the stored word, r = 0,
 * 4, 10 for pairs 0..2 and 6 (14 for e1) for pair 3. The rows are the codec's (row-major, K/2
 * bytes each) or, in {@link Nvfp4CodeOrder#BIT_PLACED_PAIRED}, interleaved in pairs; the scales and
 * the global scale are the codec's.
 */
public final class Nvfp4BitPlacement {
  private static final int[] DEST = new int[32]; // codec bit -> stored bit

  static {
    for (int c = 0; c < 8; c++) {
      for (int b = 0; b < 4; b++) {
        int j = 16 * (c & 1) + (b == 3 ? 15 : 6 + b);
        DEST[4 * c + b] = (j - rotation(c >> 1, b)) & 31;
      }
    }
  }

  private Nvfp4BitPlacement() {}

  /** The rotation that brings bit {@code b} (0 = m, 1 = e0, 2 = e1, 3 = sign) of pair {@code p} into place. */
  static int rotation(int p, int b) {
    return p == 0 ? 0 : p == 1 ? 4 : p == 2 ? 10 : b == 2 ? 14 : 6;
  }

  /** One codec-order word of 8 codes, bit-placed. */
  public static int word(int codec) {
    int out = 0;
    for (int i = 0; i < 32; i++) {
      out |= ((codec >>> i) & 1) << DEST[i];
    }
    return out;
  }

  /** Bit-places packed codes (rows of K/2 bytes, K a multiple of 8), little-endian words. */
  public static byte[] place(byte[] packed) {
    if (packed.length % 4 != 0) {
      throw new IllegalArgumentException("bit placement works on whole 32-bit words (8 codes); got " + packed.length + " bytes");
    }
    byte[] out = new byte[packed.length];
    IntBuffer in = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
    IntBuffer placed = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
    while (in.hasRemaining()) {
      placed.put(word(in.get()));
    }
    return out;
  }

  /**
   * Bit-places codes [rows][cols / 2] in {@code order}, the CPU twin of {@code nvfp4_bitplace}:
   * paired rows put the 64-byte pieces (128 k) of rows 2p and 2p + 1 alternately, piece j of row
   * 2p + e at byte {@code p * cols + 128 j + 64 e}.
   */
  public static byte[] place(byte[] packed, int rows, int cols, Nvfp4CodeOrder order) {
    if (!order.bitPlaced()) {
      throw new IllegalArgumentException("place needs a bit-placed order, got " + order);
    }
    if (rows <= 0 || cols <= 0 || cols % 8 != 0 || (long) rows * cols / 2 != packed.length) {
      throw new IllegalArgumentException("codes of " + rows + "x" + cols + " need cols % 8 == 0 and " + (long) rows * cols / 2
          + " bytes; got " + packed.length);
    }
    byte[] placed = place(packed);
    if (order == Nvfp4CodeOrder.BIT_PLACED) {
      return placed;
    }
    if (rows % 2 != 0 || cols % 128 != 0) {
      throw new IllegalArgumentException("paired rows need an even row count and cols % 128 == 0; got " + rows + "x" + cols);
    }
    byte[] out = new byte[placed.length];
    int rowBytes = cols / 2;
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < rowBytes / 64; j++) {
        System.arraycopy(placed, r * rowBytes + 64 * j, out, (r >> 1) * cols + 128 * j + 64 * (r & 1), 64);
      }
    }
    return out;
  }
}
