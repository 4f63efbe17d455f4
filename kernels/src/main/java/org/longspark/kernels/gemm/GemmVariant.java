package org.longspark.kernels.gemm;

/**
 * Which kernel computes a product. {@link #AUTO} picks by shape (see {@link GemmKernels}); the
 * others force one, for tests and benchmarks that compare variants side by side.
 *
 * @param kind the kernel family
 * @param tileN CTA tile width of the wgmma kernels (128 or 256; 0 = by shape)
 * @param splits K slices of the small-M kernel: 1, 2 or 4, the CTAs of one cluster (0 = by shape)
 */
public record GemmVariant(Kind kind, int tileN, int splits) {
  public enum Kind {
    /** Chosen by shape. */
    AUTO,
    /** M <= 16: weights streamed once, mma.sync, split-K over a thread-block cluster (gemm_skinny.cu). */
    SKINNY,
    /** wgmma with NVFP4 expanded in registers (gemm_wgmma.cu). */
    WGMMA,
    /** NVFP4 operands first expanded to 16-bit matrices in the workspace, then the 16-bit wgmma GEMM. */
    EXPAND
  }

  public static final GemmVariant AUTO = new GemmVariant(Kind.AUTO, 0, 0);

  public GemmVariant {
    if (tileN != 0 && tileN != 128 && tileN != 256) {
      throw new IllegalArgumentException("tileN must be 0, 128 or 256, got " + tileN);
    }
    if (splits < 0) {
      throw new IllegalArgumentException("splits must be >= 0, got " + splits);
    }
  }

  public static GemmVariant skinny(int splits) {
    return new GemmVariant(Kind.SKINNY, 0, splits);
  }

  public static GemmVariant wgmma(int tileN) {
    return new GemmVariant(Kind.WGMMA, tileN, 0);
  }

  public static GemmVariant expand(int tileN) {
    return new GemmVariant(Kind.EXPAND, tileN, 0);
  }

  @Override
  public String toString() {
    switch (kind) {
      case SKINNY:
        return "skinny" + (splits > 0 ? "/s" + splits : "");
      case WGMMA:
        return "wgmma" + (tileN > 0 ? "/n" + tileN : "");
      case EXPAND:
        return "expand" + (tileN > 0 ? "/n" + tileN : "");
      default:
        return "auto";
    }
  }
}
