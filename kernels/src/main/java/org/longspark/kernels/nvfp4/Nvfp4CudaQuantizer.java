package org.longspark.kernels.nvfp4;

import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.CudaKernel;
import org.longspark.kernels.cuda.CudaStream;
import org.longspark.kernels.cuda.DeviceBuffer;
import org.longspark.kernels.cuda.KernelModule;

/**
 * The CUDA engine behind an {@link Nvfp4Quantizer}'s settings (kernels in nvfp4.cu): same codes,
 * scales and global scale as the Java codec, bit for bit. Stream-ordered: nothing here waits for
 * the device or copies through the host; {@link Nvfp4DeviceTensor#checkFinite} does, on request.
 *
 * <p>Quantizing is two launches: the global amax (a pass over the input), then the encoding (a
 * second pass). Callers that already know the amax (fused into the kernel that produced the
 * tensor) write it into the status word and call {@link #encode} alone.
 */
public final class Nvfp4CudaQuantizer {
  private static final int THREADS = 256;
  /** Segments of 16 elements one ROW_1x16 thread encodes (SEGMENTS_IN_FLIGHT in nvfp4.cu). */
  private static final int ROW_SEGMENTS = 2;

  private final CudaDevice device;
  private final Nvfp4Quantizer settings;
  private final KernelModule module;

  public Nvfp4CudaQuantizer(CudaDevice device, Nvfp4Quantizer settings) {
    this.device = device;
    this.settings = settings;
    this.module = KernelModule.load(device, "nvfp4");
  }

  public Nvfp4Quantizer settings() {
    return settings;
  }

  /** Allocates the output and quantizes {@code input} (row-major rows x cols) into it. */
  public Nvfp4DeviceTensor quantize(
      DeviceBuffer input, Nvfp4Input type, int rows, int cols, CudaStream stream) {
    Nvfp4DeviceTensor out = allocate(rows, cols);
    try {
      computeAmax(input, type, rows, cols, out.status(), stream);
      encode(input, type, out, stream);
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    }
  }

  /** An output tensor for this quantizer's layout; its status word is not yet initialised. */
  public Nvfp4DeviceTensor allocate(int rows, int cols) {
    return new Nvfp4DeviceTensor(device, rows, cols, settings.layout(), settings.hadamard());
  }

  /**
   * Resets {@code status} (16 bytes) and writes the global amax of the input, after the Hadamard
   * transform when the settings ask for it, and the first non-finite input index.
   */
  public void computeAmax(
      DeviceBuffer input, Nvfp4Input type, int rows, int cols, DeviceBuffer status, CudaStream stream) {
    checkInput(input, type, rows, cols);
    status.fillAsync((byte) 0, stream);
    long groups = (long) rows * cols / 16;
    int grid = (int) Math.max(1, Math.min((groups + THREADS - 1) / THREADS, device.multiprocessorCount() * 8L));
    String name = "nvfp4_amax_" + type.kernelTag() + (settings.hadamard() ? "_hadamard" : "");
    module.kernel(name).launch(stream, grid, 1, 1, THREADS, 1, 1, 0, input, (long) rows * cols, status);
  }

  /** Encodes {@code input} into {@code out} using the amax already in {@code out.status()}. */
  public void encode(DeviceBuffer input, Nvfp4Input type, Nvfp4DeviceTensor out, CudaStream stream) {
    int rows = out.rows();
    int cols = out.cols();
    checkInput(input, type, rows, cols);
    if (out.layout() != settings.layout() || out.hadamard() != settings.hadamard()) {
      throw new IllegalArgumentException(
          "output tensor is " + out.layout() + (out.hadamard() ? " with Hadamard" : "")
              + " but the quantizer is " + settings);
    }
    long segments = (long) rows * cols / 16;
    long perBlock = settings.layout() == Nvfp4Layout.ROW_1x16 ? (long) THREADS * ROW_SEGMENTS : THREADS;
    int grid = (int) ((segments + perBlock - 1) / perBlock);
    CudaKernel k = module.kernel(kernelName(type));
    k.launch(stream, grid, 1, 1, THREADS, 1, 1, 0,
        input, rows, cols, settings.seed(), out.status(), out.packed(), out.scales(), out.globalDecodeScale());
  }

  /** Decodes {@code t} into {@code out} (rows x cols float32), (e2m1 * e4m3) * global. */
  public static void dequantize(Nvfp4DeviceTensor t, DeviceBuffer out, CudaStream stream) {
    if (out.bytes() < 4L * t.rows() * t.cols()) {
      throw new IllegalArgumentException(
          "output buffer of " + out.bytes() + " bytes is too small for " + t.rows() + "x" + t.cols() + " float32");
    }
    long segments = (long) t.rows() * t.cols() / 16;
    int grid = (int) ((segments + THREADS - 1) / THREADS);
    String name = t.layout() == Nvfp4Layout.ROW_1x16 ? "nvfp4_dequantize_row" : "nvfp4_dequantize_tile";
    KernelModule.load(out.device(), "nvfp4").kernel(name).launch(stream, grid, 1, 1, THREADS, 1, 1, 0,
        t.packed(), t.scales(), t.globalDecodeScale(), t.rows(), t.cols(), out);
  }

  String kernelName(Nvfp4Input type) {
    return "nvfp4_quantize_" + type.kernelTag()
        + (settings.layout() == Nvfp4Layout.ROW_1x16 ? "_row" : "_tile")
        + (settings.rounding() == Nvfp4Rounding.NEAREST_EVEN ? "_nearest" : "_stochastic")
        + (settings.scaleRule() == Nvfp4ScaleRule.STATIC_6 ? "_static6" : "_fourOverSix")
        + (settings.hadamard() ? "_h1" : "_h0");
  }

  private static void checkInput(DeviceBuffer input, Nvfp4Input type, int rows, int cols) {
    Nvfp4Quantizer.checkShape(rows * cols, rows, cols);
    long need = (long) rows * cols * type.bytes();
    if (input.bytes() < need) {
      throw new IllegalArgumentException(
          "input buffer of " + input.bytes() + " bytes is too small for " + rows + "x" + cols + " "
              + type + " (" + need + " bytes)");
    }
  }
}
