package org.longspark.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * The compiled form of one {@code kernels/src/main/cuda/NAME.cu}, loaded once per device and JVM.
 * Hopper (sm_90) loads the sm_90a cubin, which may use wgmma; a newer GPU JIT-compiles the sm_90
 * PTX. The build writes both as class-path resources; without nvcc at build time neither exists.
 */
public final class KernelModule {
  static final String RESOURCE_DIR = "/org/longspark/kernels/cuda/bin/";
  private static final ConcurrentHashMap<String, KernelModule> LOADED = new ConcurrentHashMap<>();

  private final CudaDevice device;
  private final String name;
  private final CUmodule module;
  private final ConcurrentHashMap<String, CudaKernel> kernels = new ConcurrentHashMap<>();

  private KernelModule(CudaDevice device, String name) {
    this.device = device;
    this.name = name;
    int cc = device.computeCapability();
    if (cc < 90) {
      throw new CudaException(
          device + ": compute capability " + cc / 10 + "." + cc % 10
              + " is below 9.0; longspark's kernels need Hopper or newer");
    }
    boolean hopper = cc == 90;
    String resource = RESOURCE_DIR + name + (hopper ? ".sm_90a.cubin" : ".sm_90.ptx");
    byte[] image = readResource(resource, !hopper);
    device.makeCurrent();
    CUmodule m = new CUmodule();
    Driver.check(JCudaDriver.cuModuleLoadData(m, image), "cuModuleLoadData(" + resource + ")");
    this.module = m;
  }

  /** The module NAME on this device, loaded on first use. */
  public static KernelModule load(CudaDevice device, String name) {
    return LOADED.computeIfAbsent(device.ordinal() + "/" + name, k -> new KernelModule(device, name));
  }

  /** True when the build compiled the CUDA sources (nvcc was present). */
  public static boolean built(String name) {
    return KernelModule.class.getResource(RESOURCE_DIR + name + ".sm_90.ptx") != null;
  }

  /** The kernel with this extern "C" name. */
  public CudaKernel kernel(String function) {
    return kernels.computeIfAbsent(function, this::lookup);
  }

  private CudaKernel lookup(String function) {
    device.makeCurrent();
    CUfunction f = new CUfunction();
    Driver.check(
        JCudaDriver.cuModuleGetFunction(f, module, function),
        "cuModuleGetFunction(" + name + "." + function + ")");
    return new CudaKernel(device, name + "." + function, f);
  }

  public CudaDevice device() {
    return device;
  }

  private static byte[] readResource(String resource, boolean nulTerminate) {
    try (InputStream in = KernelModule.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new CudaException(
            "kernels not built: " + resource + " is missing (nvcc was not found when"
                + " longspark-kernels was compiled; rebuild on a machine with CUDA 13 nvcc)");
      }
      byte[] bytes = in.readAllBytes();
      // PTX is text and the driver reads it up to a NUL byte.
      return nulTerminate ? Arrays.copyOf(bytes, bytes.length + 1) : bytes;
    } catch (IOException e) {
      throw new CudaException("cannot read " + resource, e);
    }
  }
}
