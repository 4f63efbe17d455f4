package org.longspark.kernels.cuda;

import org.junit.jupiter.api.Assumptions;

/** Shared guard for {@code @Tag("gpu")} tests: skip, saying why, where no CUDA device is usable. */
public final class GpuTests {
  private GpuTests() {}

  /** Opens device 0, or aborts the test with the printed reason. */
  public static CudaDevice device() {
    CudaDevice.unavailableReason().ifPresent(reason -> {
      System.out.println("GPU test skipped: " + reason);
      Assumptions.abort("no CUDA device: " + reason);
    });
    if (!KernelModule.built("nvfp4")) {
      System.out.println("GPU test skipped: kernels not built (no nvcc at build time)");
      Assumptions.abort("kernels not built");
    }
    return CudaDevice.open(0);
  }
}
