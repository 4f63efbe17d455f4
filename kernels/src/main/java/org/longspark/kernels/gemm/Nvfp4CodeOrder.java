package org.longspark.kernels.gemm;

/**
 * How an NVFP4 operand's codes are stored (docs/formats.md): as the codec writes them, or
 * bit-placed for the small-M kernel ({@link Nvfp4BitPlacement}, made once by
 * {@link GemmKernels#bitPlace}), with the rows either as the codec's or interleaved in pairs.
 */
public enum Nvfp4CodeOrder {
  /** The codec's codes, row r at byte {@code r * cols / 2}: what every kernel reads. */
  CODEC(""),
  /** Bit-placed words, rows as the codec's. */
  BIT_PLACED("_bp"),
  /**
   * Bit-placed words with rows 2p and 2p + 1 interleaved in 64-byte pieces (128 k each): a warp's
   * 16-byte loads then take whole 128-byte lines. Needs an even row count and cols % 128 == 0.
   */
  BIT_PLACED_PAIRED("_bpp");

  private final String kernelSuffix;

  Nvfp4CodeOrder(String kernelSuffix) {
    this.kernelSuffix = kernelSuffix;
  }

  public boolean bitPlaced() {
    return this != CODEC;
  }

  /** The suffix of the small-M kernel entries that read this order ({@code skinny_w4a4_tile_bpp}). */
  String kernelSuffix() {
    return kernelSuffix;
  }

  /**
   * The bit-placed order the small-M kernel of {@code op} ({@link GemmKernels.Op#W4A16} or
   * {@link GemmKernels.Op#W4A4}) reads fastest at the decode bar's M = 16, as measured on H100 at
   * N = K = 8192 with either weight scale layout (docs/kernels-gemm.md, "Ninth round"): paired rows
   * for NVFP4 activations (about 2 us faster), the codec's rows for bf16 activations (0.2..0.35 us
   * faster). Every small-M kernel reads both orders correctly; this only picks the faster one.
   */
  public static Nvfp4CodeOrder fastestBitPlacedFor(GemmKernels.Op op) {
    if (op != GemmKernels.Op.W4A16 && op != GemmKernels.Op.W4A4) {
      throw new IllegalArgumentException("bit-placed weights are read by the W4A16 and W4A4 small-M kernels, not by " + op);
    }
    return op == GemmKernels.Op.W4A4 ? BIT_PLACED_PAIRED : BIT_PLACED;
  }
}
