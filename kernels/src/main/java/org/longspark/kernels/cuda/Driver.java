package org.longspark.kernels.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/** Checks driver-API result codes; one place so every failure message has the same shape. */
final class Driver {
  private static volatile boolean initialized;

  private Driver() {}

  /** Throws a {@link CudaException} naming {@code what} unless {@code result} is CUDA_SUCCESS. */
  static void check(int result, String what) {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new CudaException(what + " failed: " + CUresult.stringFor(result));
    }
  }

  /** Loads the JCuda driver library and calls cuInit once per JVM. */
  static synchronized void init() {
    if (initialized) {
      return;
    }
    JCudaDriver.setExceptionsEnabled(false);
    check(JCudaDriver.cuInit(0), "cuInit");
    initialized = true;
  }
}
