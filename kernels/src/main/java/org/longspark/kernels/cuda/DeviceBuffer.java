package org.longspark.kernels.cuda;

import java.nio.ByteBuffer;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUpointer_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Device memory owned by the caller: allocated here, released by {@link #close()} (explicitly, in
 * the scope that allocated it; nothing is freed by the garbage collector). The host copies are for
 * loading inputs and reading results; kernel wrappers never copy through the host themselves.
 */
public final class DeviceBuffer implements AutoCloseable {
  private final CudaDevice device;
  private final long bytes;
  private CUdeviceptr pointer;
  private long address;

  private DeviceBuffer(CudaDevice device, long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("device buffer size must be positive, got " + bytes);
    }
    this.device = device;
    this.bytes = bytes;
    device.makeCurrent();
    CUdeviceptr p = new CUdeviceptr();
    Driver.check(JCudaDriver.cuMemAlloc(p, bytes), "cuMemAlloc(" + bytes + " bytes on " + device + ")");
    this.pointer = p;
  }

  public static DeviceBuffer allocate(CudaDevice device, long bytes) {
    return new DeviceBuffer(device, bytes);
  }

  public CudaDevice device() {
    return device;
  }

  public long bytes() {
    return bytes;
  }

  /** The device address; valid until {@link #close()}. */
  public CUdeviceptr pointer() {
    if (pointer == null) {
      throw new IllegalStateException("device buffer of " + bytes + " bytes already released");
    }
    return pointer;
  }

  /**
   * The raw device address, for libraries outside JCuda that take device pointers (NCCL through
   * JavaCPP); valid until {@link #close()}. Asked of the driver once, then remembered.
   */
  public long address() {
    if (address == 0) {
      long[] value = new long[1];
      device.makeCurrent();
      Driver.check(
          JCudaDriver.cuPointerGetAttribute(
              Pointer.to(value), CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_POINTER, pointer()),
          "cuPointerGetAttribute(device pointer)");
      address = value[0];
    }
    pointer(); // fails once released
    return address;
  }

  /** Copies the bytes between position and limit of a direct buffer to the start of this one. */
  public DeviceBuffer copyFromHost(ByteBuffer src) {
    return upload(Pointer.to(direct(src).slice()), src.remaining());
  }

  /** Fills {@code dst} from position to limit with this buffer's first bytes. */
  public void copyToHost(ByteBuffer dst) {
    copyToHost(0, dst);
  }

  /** Fills {@code dst} from position to limit with this buffer's bytes from {@code offset}. */
  public void copyToHost(long offset, ByteBuffer dst) {
    if (offset < 0 || offset + dst.remaining() > bytes) {
      throw new IllegalArgumentException(
          "download of " + dst.remaining() + " bytes from offset " + offset + " of a " + bytes + "-byte device buffer");
    }
    device.makeCurrent();
    Driver.check(
        JCudaDriver.cuMemcpyDtoH(Pointer.to(direct(dst).slice()), pointer().withByteOffset(offset), dst.remaining()),
        "cuMemcpyDtoH(" + dst.remaining() + " bytes)");
  }

  private static ByteBuffer direct(ByteBuffer b) {
    if (!b.isDirect()) {
      throw new IllegalArgumentException("host buffer must be direct (ByteBuffer.allocateDirect)");
    }
    return b;
  }

  public DeviceBuffer copyFromHost(float[] src) {
    return upload(Pointer.to(src), 4L * src.length);
  }

  public DeviceBuffer copyFromHost(short[] src) {
    return upload(Pointer.to(src), 2L * src.length);
  }

  public DeviceBuffer copyFromHost(byte[] src) {
    return upload(Pointer.to(src), src.length);
  }

  public DeviceBuffer copyFromHost(int[] src) {
    return upload(Pointer.to(src), 4L * src.length);
  }

  public void copyToHost(float[] dst) {
    download(Pointer.to(dst), 4L * dst.length);
  }

  public void copyToHost(short[] dst) {
    download(Pointer.to(dst), 2L * dst.length);
  }

  public void copyToHost(byte[] dst) {
    download(Pointer.to(dst), dst.length);
  }

  public void copyToHost(int[] dst) {
    download(Pointer.to(dst), 4L * dst.length);
  }

  /** Sets every byte (synchronously); tests poison outputs with it. */
  public DeviceBuffer fill(byte value) {
    device.makeCurrent();
    Driver.check(JCudaDriver.cuMemsetD8(pointer(), value, bytes), "cuMemsetD8");
    return this;
  }

  /** Stream-ordered byte fill. */
  public void fillAsync(byte value, CudaStream stream) {
    device.makeCurrent();
    Driver.check(
        JCudaDriver.cuMemsetD8Async(pointer(), value, bytes, stream.handle()), "cuMemsetD8Async");
  }

  /** Stream-ordered device-to-device copy of {@code count} bytes from {@code src}. */
  public void copyFromAsync(DeviceBuffer src, long count, CudaStream stream) {
    copyRangeFromAsync(0, src, count, stream);
  }

  /** Stream-ordered copy of {@code count} bytes from the start of {@code src} to {@code offset} here. */
  public void copyRangeFromAsync(long offset, DeviceBuffer src, long count, CudaStream stream) {
    if (offset < 0 || count < 0 || offset + count > bytes || count > src.bytes) {
      throw new IllegalArgumentException(
          "copy of " + count + " bytes from a " + src.bytes + "-byte buffer to offset " + offset
              + " of a " + bytes + "-byte buffer");
    }
    device.makeCurrent();
    Driver.check(
        JCudaDriver.cuMemcpyDtoDAsync(pointer().withByteOffset(offset), src.pointer(), count, stream.handle()),
        "cuMemcpyDtoDAsync(" + count + " bytes)");
  }

  private DeviceBuffer upload(Pointer host, long count) {
    checkSize(count, "upload");
    device.makeCurrent();
    Driver.check(JCudaDriver.cuMemcpyHtoD(pointer(), host, count), "cuMemcpyHtoD(" + count + " bytes)");
    return this;
  }

  private void download(Pointer host, long count) {
    checkSize(count, "download");
    device.makeCurrent();
    Driver.check(JCudaDriver.cuMemcpyDtoH(host, pointer(), count), "cuMemcpyDtoH(" + count + " bytes)");
  }

  private void checkSize(long count, String what) {
    if (count > bytes) {
      throw new IllegalArgumentException(
          what + " of " + count + " bytes does not fit a device buffer of " + bytes + " bytes");
    }
  }

  @Override
  public void close() {
    if (pointer != null) {
      device.makeCurrent();
      CUdeviceptr p = pointer;
      pointer = null;
      Driver.check(JCudaDriver.cuMemFree(p), "cuMemFree(" + bytes + " bytes)");
    }
  }
}
