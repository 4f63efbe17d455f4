package org.longspark.kernels.nvfp4;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.CudaStream;
import org.longspark.kernels.cuda.DeviceBuffer;

/**
 * An {@link Nvfp4Tensor} in device memory: codes, scales and the global decode scale (a float in a
 * 4-byte buffer, so the kernels that produce and consume it stay stream-ordered), plus the
 * quantizer's 16-byte status word (global amax, first non-finite input). Owns its buffers.
 */
public final class Nvfp4DeviceTensor implements AutoCloseable {
  static final int STATUS_BYTES = 16;

  private final int rows;
  private final int cols;
  private final Nvfp4Layout layout;
  private final boolean hadamard;
  private final DeviceBuffer packed;
  private final DeviceBuffer scales;
  private final DeviceBuffer globalDecodeScale;
  private final DeviceBuffer status;

  Nvfp4DeviceTensor(CudaDevice device, int rows, int cols, Nvfp4Layout layout, boolean hadamard) {
    Nvfp4Quantizer.checkShape(rows * cols, rows, cols);
    this.rows = rows;
    this.cols = cols;
    this.layout = layout;
    this.hadamard = hadamard;
    this.packed = DeviceBuffer.allocate(device, (long) rows * cols / 2);
    this.scales = DeviceBuffer.allocate(device, Nvfp4Tensor.scaleCount(rows, cols, layout));
    this.globalDecodeScale = DeviceBuffer.allocate(device, 4);
    this.status = DeviceBuffer.allocate(device, STATUS_BYTES);
  }

  /** Copies a host tensor to the device (weights quantized on the CPU, checkpoints). */
  public static Nvfp4DeviceTensor fromHost(CudaDevice device, Nvfp4Tensor t) {
    Nvfp4DeviceTensor d = new Nvfp4DeviceTensor(device, t.rows(), t.cols(), t.layout(), t.hadamard());
    d.packed.copyFromHost(t.packed());
    d.scales.copyFromHost(t.scales());
    d.globalDecodeScale.copyFromHost(new float[] {t.globalDecodeScale()});
    d.status.fill((byte) 0);
    return d;
  }

  /** Waits for {@code stream} and copies the tensor back to the host. */
  public Nvfp4Tensor toHost(CudaStream stream) {
    stream.synchronize();
    byte[] p = new byte[rows * cols / 2];
    byte[] s = new byte[Nvfp4Tensor.scaleCount(rows, cols, layout)];
    float[] g = new float[1];
    packed.copyToHost(p);
    scales.copyToHost(s);
    globalDecodeScale.copyToHost(g);
    return new Nvfp4Tensor(rows, cols, layout, hadamard, p, s, g[0]);
  }

  /**
   * Waits for {@code stream} and fails like the Java codec if the quantized input held NaN or
   * infinity (the kernels themselves never stop; such input yields saturated codes).
   *
   * @throws IllegalArgumentException naming the first non-finite input element
   */
  public void checkFinite(CudaStream stream) {
    stream.synchronize();
    byte[] raw = new byte[STATUS_BYTES];
    status.copyToHost(raw);
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    float amax = Float.intBitsToFloat(b.getInt(0));
    long badComplement = b.getLong(8);
    if (badComplement != 0) {
      throw new IllegalArgumentException("non-finite input at "
          + Nvfp4Quantizer.element(~badComplement, cols) + ": NVFP4 cannot represent NaN or infinity");
    }
    if (!Float.isFinite(amax)) {
      throw new IllegalArgumentException("Hadamard transform overflowed float32 (global amax " + amax + ")");
    }
  }

  public int rows() {
    return rows;
  }

  public int cols() {
    return cols;
  }

  public Nvfp4Layout layout() {
    return layout;
  }

  public boolean hadamard() {
    return hadamard;
  }

  /** Codes, two per byte, row-major (element 2i in the low nibble). */
  public DeviceBuffer packed() {
    return packed;
  }

  /** E4M3 scale bytes, row-major over blocks. */
  public DeviceBuffer scales() {
    return scales;
  }

  /** One float32: the global decode scale 1/S_enc. */
  public DeviceBuffer globalDecodeScale() {
    return globalDecodeScale;
  }

  /** The 16-byte status word: global amax bits, then the complement of the first bad index. */
  public DeviceBuffer status() {
    return status;
  }

  @Override
  public void close() {
    packed.close();
    scales.close();
    globalDecodeScale.close();
    status.close();
  }
}
