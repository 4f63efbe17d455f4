package org.longspark.kernels.gemm;

import jcuda.driver.CUdeviceptr;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.DeviceBuffer;

/**
 * Scratch device memory for the GEMMs that need it: split-K partial sums and tile counters of the
 * small-M kernels, and the 16-bit copies of the dequantize-then-GEMM path. One workspace serves
 * one stream at a time (launches on other streams would share the partials and counters).
 * {@link GemmKernels#workspaceBytes} says how much scratch a call needs.
 */
public final class GemmWorkspace implements AutoCloseable {
  /** Split-K tile counters: one int per 64 output columns, so N up to 1,048,576. */
  static final long COUNTER_BYTES = 64 * 1024;

  private final DeviceBuffer buffer;
  private final long scratchBytes;

  private GemmWorkspace(CudaDevice device, long scratchBytes) {
    if (scratchBytes < 0) {
      throw new IllegalArgumentException("scratch bytes must be >= 0, got " + scratchBytes);
    }
    this.scratchBytes = scratchBytes;
    this.buffer = DeviceBuffer.allocate(device, COUNTER_BYTES + scratchBytes);
    // The counters must start at zero; the kernels return each one to zero when its tile is done.
    buffer.fill((byte) 0);
  }

  public static GemmWorkspace allocate(CudaDevice device, long scratchBytes) {
    return new GemmWorkspace(device, scratchBytes);
  }

  public long scratchBytes() {
    return scratchBytes;
  }

  CUdeviceptr counters() {
    return buffer.pointer();
  }

  CUdeviceptr scratch(long offset) {
    return buffer.pointer().withByteOffset(COUNTER_BYTES + offset);
  }

  @Override
  public void close() {
    buffer.close();
  }
}
