package org.longspark.kernels.cuda;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.JCudaDriver;

/** A timing event recorded on a stream; benchmarks bracket device work with two of them. */
public final class CudaEvent implements AutoCloseable {
  private final CudaDevice device;
  private CUevent event;

  private CudaEvent(CudaDevice device) {
    this.device = device;
    device.makeCurrent();
    CUevent e = new CUevent();
    Driver.check(JCudaDriver.cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT), "cuEventCreate");
    this.event = e;
  }

  public static CudaEvent create(CudaDevice device) {
    return new CudaEvent(device);
  }

  public CudaEvent record(CudaStream stream) {
    device.makeCurrent();
    Driver.check(JCudaDriver.cuEventRecord(handle(), stream.handle()), "cuEventRecord");
    return this;
  }

  public void synchronize() {
    device.makeCurrent();
    Driver.check(JCudaDriver.cuEventSynchronize(handle()), "cuEventSynchronize");
  }

  /** Milliseconds between two recorded events (waits for the end event). */
  public static float elapsedMillis(CudaEvent start, CudaEvent end) {
    end.synchronize();
    float[] ms = new float[1];
    Driver.check(JCudaDriver.cuEventElapsedTime(ms, start.handle(), end.handle()), "cuEventElapsedTime");
    return ms[0];
  }

  private CUevent handle() {
    if (event == null) {
      throw new IllegalStateException("event already closed");
    }
    return event;
  }

  @Override
  public void close() {
    if (event != null) {
      device.makeCurrent();
      CUevent e = event;
      event = null;
      Driver.check(JCudaDriver.cuEventDestroy(e), "cuEventDestroy");
    }
  }
}
