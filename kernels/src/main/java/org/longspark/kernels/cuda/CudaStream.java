package org.longspark.kernels.cuda;

import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/** A non-blocking stream: work on it is ordered, and it does not wait for the legacy stream. */
public final class CudaStream implements AutoCloseable {
  private final CudaDevice device;
  private CUstream stream;

  private CudaStream(CudaDevice device) {
    this.device = device;
    device.makeCurrent();
    CUstream s = new CUstream();
    Driver.check(JCudaDriver.cuStreamCreate(s, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
    this.stream = s;
  }

  public static CudaStream create(CudaDevice device) {
    return new CudaStream(device);
  }

  public CudaDevice device() {
    return device;
  }

  public CUstream handle() {
    if (stream == null) {
      throw new IllegalStateException("stream already closed");
    }
    return stream;
  }

  /** Waits for everything queued on this stream; asynchronous kernel faults surface here. */
  public void synchronize() {
    device.makeCurrent();
    Driver.check(JCudaDriver.cuStreamSynchronize(handle()), "cuStreamSynchronize");
  }

  @Override
  public void close() {
    if (stream != null) {
      device.makeCurrent();
      CUstream s = stream;
      stream = null;
      Driver.check(JCudaDriver.cuStreamDestroy(s), "cuStreamDestroy");
    }
  }
}
