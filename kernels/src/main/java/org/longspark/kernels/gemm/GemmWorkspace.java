package org.longspark.kernels.gemm;

import jcuda.driver.CUdeviceptr;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.DeviceBuffer;

/**
 * Scratch device memory for the GEMMs that need it: the 16-bit copies of the dequantize-then-GEMM
 * path. One workspace serves one stream at a time (launches on other streams would overwrite each
 * other's copies). {@link GemmKernels#workspaceBytes} says how much scratch a call needs; 0 is a
 * valid size (no device memory is taken).
 */
public final class GemmWorkspace implements AutoCloseable {
  private final DeviceBuffer buffer; // null when scratchBytes == 0
  private final long scratchBytes;

  private GemmWorkspace(CudaDevice device, long scratchBytes) {
    if (scratchBytes < 0) {
      throw new IllegalArgumentException("scratch bytes must be >= 0, got " + scratchBytes);
    }
    this.scratchBytes = scratchBytes;
    this.buffer = scratchBytes > 0 ? DeviceBuffer.allocate(device, scratchBytes) : null;
  }

  public static GemmWorkspace allocate(CudaDevice device, long scratchBytes) {
    return new GemmWorkspace(device, scratchBytes);
  }

  public long scratchBytes() {
    return scratchBytes;
  }

  CUdeviceptr scratch(long offset) {
    return buffer.pointer().withByteOffset(offset);
  }

  @Override
  public void close() {
    if (buffer != null) {
      buffer.close();
    }
  }
}
