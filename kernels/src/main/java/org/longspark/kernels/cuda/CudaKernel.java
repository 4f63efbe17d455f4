package org.longspark.kernels.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.JCudaDriver;

/**
 * One kernel of a {@link KernelModule}. Launches are stream-ordered; the launch's own errors are
 * checked at once, and with {@code -Dlongspark.cuda.syncLaunches=true} each launch is also waited
 * for, so an asynchronous fault is reported against the kernel that caused it (a debugging aid).
 */
public final class CudaKernel {
  private static final boolean SYNC_LAUNCHES = Boolean.getBoolean("longspark.cuda.syncLaunches");

  private final CudaDevice device;
  private final String name;
  private final CUfunction function;

  CudaKernel(CudaDevice device, String name, CUfunction function) {
    this.device = device;
    this.name = name;
    this.function = function;
  }

  public String name() {
    return name;
  }

  /** Allows this kernel more than 48 KiB of dynamic shared memory. */
  public CudaKernel setMaxDynamicSharedMemory(int bytes) {
    device.makeCurrent();
    Driver.check(
        JCudaDriver.cuFuncSetAttribute(
            function, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes),
        "cuFuncSetAttribute(" + name + ", max dynamic shared memory " + bytes + ")");
    return this;
  }

  /** Shared memory the kernel declares statically (it counts against the same per-block limit). */
  public int staticSharedBytes() {
    device.makeCurrent();
    int[] v = new int[1];
    Driver.check(
        JCudaDriver.cuFuncGetAttribute(v, CUfunction_attribute.CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, function),
        "cuFuncGetAttribute(" + name + ", static shared memory)");
    return v[0];
  }

  /** How a launch is ordered after the work before it in its stream. */
  public enum StreamOrder {
    /** The kernel starts once everything before it has finished (cuLaunchKernel). */
    SERIAL,
    /**
     * Programmatic dependent launch ({@link DependentLaunch}) where available, else {@link #SERIAL}:
     * the kernel must wait (griddepcontrol.wait) before touching memory that earlier kernels use.
     */
    PROGRAMMATIC
  }

  /**
   * Launches on {@code stream} after everything before it. Arguments, in the kernel's parameter
   * order: {@link DeviceBuffer} or {@link CUdeviceptr} (a device pointer), Integer, Long, Float.
   */
  public void launch(
      CudaStream stream, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, Object... args) {
    launch(StreamOrder.SERIAL, stream, gx, gy, gz, bx, by, bz, sharedBytes, args);
  }

  /** Launches on {@code stream} in the given order; arguments as for the plain launch. */
  public void launch(StreamOrder order, CudaStream stream, int gx, int gy, int gz, int bx, int by, int bz,
      int sharedBytes, Object... args) {
    long[] slots = new long[args.length];
    for (int i = 0; i < args.length; i++) {
      slots[i] = slot(args[i], i);
    }
    device.makeCurrent();
    String what = name + " <<<(" + gx + "," + gy + "," + gz + "),(" + bx + "," + by + "," + bz + ")," + sharedBytes + ">>>";
    if (order == StreamOrder.PROGRAMMATIC && DependentLaunch.available()) {
      Driver.check(DependentLaunch.launch(function, gx, gy, gz, bx, by, bz, sharedBytes, stream.handle(), slots),
          "cuLaunchKernelEx (programmatic dependent launch) " + what);
    } else {
      Pointer[] params = new Pointer[slots.length];
      for (int i = 0; i < slots.length; i++) {
        params[i] = Pointer.to(new long[] {slots[i]});
      }
      Driver.check(
          JCudaDriver.cuLaunchKernel(
              function, gx, gy, gz, bx, by, bz, sharedBytes, stream.handle(), Pointer.to(params), null),
          "cuLaunchKernel " + what);
    }
    if (SYNC_LAUNCHES) {
      Driver.check(JCudaDriver.cuStreamSynchronize(stream.handle()), what);
    }
  }

  /**
   * One kernel parameter as a 64-bit slot: a device address, or a 32-bit value in the low half.
   * The driver copies each parameter's own size from the start of its slot (x86-64 is
   * little-endian), so one slot type serves both launch calls.
   */
  long slot(Object arg, int index) {
    if (arg instanceof DeviceBuffer) {
      return NativeHandles.address(((DeviceBuffer) arg).pointer());
    } else if (arg instanceof CUdeviceptr) {
      return NativeHandles.address((CUdeviceptr) arg);
    } else if (arg instanceof Integer) {
      return (Integer) arg & 0xFFFF_FFFFL;
    } else if (arg instanceof Long) {
      return (Long) arg;
    } else if (arg instanceof Float) {
      return Float.floatToRawIntBits((Float) arg) & 0xFFFF_FFFFL;
    }
    throw new IllegalArgumentException(
        name + ": kernel argument " + index + " has unsupported type "
            + (arg == null ? "null" : arg.getClass().getName()));
  }
}
