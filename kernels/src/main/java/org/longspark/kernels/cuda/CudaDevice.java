package org.longspark.kernels.cuda;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * One GPU, used through its primary context (the context the CUDA runtime and other libraries
 * share). Every operation of this package makes the context current on the calling thread first,
 * so Spark task threads and test threads need no setup. Devices are opened once per JVM and never
 * closed: the primary context lives as long as the process.
 */
public final class CudaDevice {
  private static final ConcurrentHashMap<Integer, CudaDevice> OPEN = new ConcurrentHashMap<>();
  private static volatile Optional<String> unavailable;

  private final int ordinal;
  private final CUdevice device;
  private final CUcontext context;
  private final String name;
  private final int computeCapability;
  private final int multiprocessors;
  private final int l2CacheBytes;
  private final int sharedMemoryPerBlockOptin;

  private CudaDevice(int ordinal) {
    Driver.init();
    int[] count = new int[1];
    Driver.check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
    if (ordinal < 0 || ordinal >= count[0]) {
      throw new CudaException(
          "CUDA device ordinal " + ordinal + " out of range: " + count[0] + " device(s) visible");
    }
    this.ordinal = ordinal;
    this.device = new CUdevice();
    Driver.check(JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
    this.context = new CUcontext();
    Driver.check(
        JCudaDriver.cuDevicePrimaryCtxRetain(context, device),
        "cuDevicePrimaryCtxRetain(" + ordinal + ")");
    byte[] nameBytes = new byte[256];
    Driver.check(JCudaDriver.cuDeviceGetName(nameBytes, nameBytes.length, device), "cuDeviceGetName");
    int len = 0;
    while (len < nameBytes.length && nameBytes[len] != 0) {
      len++;
    }
    this.name = new String(nameBytes, 0, len, StandardCharsets.US_ASCII);
    this.computeCapability =
        attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) * 10
            + attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    this.multiprocessors = attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    this.l2CacheBytes = attribute(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE);
    this.sharedMemoryPerBlockOptin = attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
    makeCurrent();
  }

  /** Opens (once per JVM) the device with this ordinal and makes its context current. */
  public static CudaDevice open(int ordinal) {
    CudaDevice d = OPEN.computeIfAbsent(ordinal, CudaDevice::new);
    d.makeCurrent();
    return d;
  }

  /** Number of visible CUDA devices (0 when the driver or library is missing). */
  public static int count() {
    if (unavailableReason().isPresent()) {
      return 0;
    }
    int[] count = new int[1];
    Driver.check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
    return count[0];
  }

  /**
   * Why no CUDA device can be used here, or empty when one can. Never throws: a missing native
   * library or driver is the ordinary case on CPU machines.
   */
  public static Optional<String> unavailableReason() {
    Optional<String> r = unavailable;
    if (r == null) {
      r = probe();
      unavailable = r;
    }
    return r;
  }

  private static Optional<String> probe() {
    try {
      Driver.init();
      int[] count = new int[1];
      Driver.check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
      return count[0] == 0 ? Optional.of("no CUDA device visible") : Optional.empty();
    } catch (CudaException e) {
      return Optional.of(e.getMessage());
    } catch (LinkageError e) {
      return Optional.of("JCuda driver library could not be loaded (no libcuda.so.1?): " + e);
    }
  }

  /** Makes this device's primary context current on the calling thread. */
  public void makeCurrent() {
    Driver.check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent(device " + ordinal + ")");
  }

  /** Waits for all work on this device. */
  public void synchronize() {
    makeCurrent();
    Driver.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize(device " + ordinal + ")");
  }

  private int attribute(int attribute) {
    int[] v = new int[1];
    Driver.check(JCudaDriver.cuDeviceGetAttribute(v, attribute, device), "cuDeviceGetAttribute");
    return v[0];
  }

  public int ordinal() {
    return ordinal;
  }

  public String name() {
    return name;
  }

  /** Major * 10 + minor, e.g. 90 for Hopper. */
  public int computeCapability() {
    return computeCapability;
  }

  public int multiprocessorCount() {
    return multiprocessors;
  }

  public int l2CacheBytes() {
    return l2CacheBytes;
  }

  /** The most dynamic shared memory one block may use after raising its limit. */
  public int sharedMemoryPerBlockOptin() {
    return sharedMemoryPerBlockOptin;
  }

  @Override
  public String toString() {
    return "cuda:" + ordinal + " (" + name + ", sm_" + computeCapability + ")";
  }
}
