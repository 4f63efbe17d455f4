package org.longspark.kernels.gemm;

/** Element type a GEMM writes (accumulation is always fp32). */
public enum OutputFormat {
  FP32(4),
  BF16(2);

  private final int bytes;

  OutputFormat(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }
}
