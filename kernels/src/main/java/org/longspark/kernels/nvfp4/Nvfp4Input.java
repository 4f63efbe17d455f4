package org.longspark.kernels.nvfp4;

/** Element type of a device matrix handed to the CUDA quantizer. */
public enum Nvfp4Input {
  FLOAT32(4, "f32"),
  BFLOAT16(2, "bf16");

  private final int bytes;
  private final String kernelTag;

  Nvfp4Input(int bytes, String kernelTag) {
    this.bytes = bytes;
    this.kernelTag = kernelTag;
  }

  public int bytes() {
    return bytes;
  }

  String kernelTag() {
    return kernelTag;
  }
}
