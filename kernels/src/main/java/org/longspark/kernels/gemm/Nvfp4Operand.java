package org.longspark.kernels.gemm;

import java.util.Objects;
import org.longspark.kernels.cuda.DeviceBuffer;
import org.longspark.kernels.nvfp4.Nvfp4Layout;
import org.longspark.kernels.nvfp4.Nvfp4DeviceTensor;

/**
 * An NVFP4 matrix in device memory as the GEMM kernels read it (a view: the buffers belong to the
 * caller): codes [rows][cols/2] (element 2i in the low nibble), E4M3 scales ([rows][cols/16] for
 * ROW_1x16, [rows/16][cols/16] for TILE_16x16) and the global decode scale as one float in device
 * memory. The reduction dimension K is {@code cols}. {@code rows} may be less than the rows the
 * buffers were quantized with (activations padded to 16 rows, the GEMM reading the first M), but
 * the scale row stride always follows {@code cols}. {@code order}: how the codes are stored; a
 * bit-placed order ({@link Nvfp4CodeOrder}, made by {@link GemmKernels#bitPlace}) is the small-M
 * kernel's faster weight format; scales and global scale are the codec's.
 */
public record Nvfp4Operand(
    DeviceBuffer packed, DeviceBuffer scales, DeviceBuffer globalDecodeScale, int rows, int cols, Nvfp4Layout layout,
    Nvfp4CodeOrder order) {

  /** Codes in the codec's order. */
  public Nvfp4Operand(
      DeviceBuffer packed, DeviceBuffer scales, DeviceBuffer globalDecodeScale, int rows, int cols, Nvfp4Layout layout) {
    this(packed, scales, globalDecodeScale, rows, cols, layout, Nvfp4CodeOrder.CODEC);
  }

  public Nvfp4Operand {
    Objects.requireNonNull(packed, "packed");
    Objects.requireNonNull(scales, "scales");
    Objects.requireNonNull(globalDecodeScale, "globalDecodeScale");
    Objects.requireNonNull(layout, "layout");
    Objects.requireNonNull(order, "order");
    if (rows <= 0 || cols <= 0 || cols % 16 != 0) {
      throw new IllegalArgumentException("NVFP4 operand " + rows + "x" + cols + ": rows > 0 and cols a positive multiple of 16 needed");
    }
    if (layout == Nvfp4Layout.TILE_16x16 && rows % 16 != 0) {
      throw new IllegalArgumentException("NVFP4 operand with 16x16 scales needs rows % 16 == 0, got " + rows);
    }
    if (order == Nvfp4CodeOrder.BIT_PLACED_PAIRED && (rows % 2 != 0 || cols % 128 != 0)) {
      throw new IllegalArgumentException("NVFP4 operand " + rows + "x" + cols + ": paired rows need an even row count and cols % 128 == 0");
    }
    long needCodes = (long) rows * cols / 2;
    long needScales = (long) (layout == Nvfp4Layout.ROW_1x16 ? rows : rows / 16) * (cols / 16);
    if (packed.bytes() < needCodes) {
      throw new IllegalArgumentException("NVFP4 operand " + rows + "x" + cols + ": codes need " + needCodes + " bytes, buffer has " + packed.bytes());
    }
    if (scales.bytes() < needScales) {
      throw new IllegalArgumentException("NVFP4 operand " + rows + "x" + cols + " " + layout + ": scales need " + needScales + " bytes, buffer has " + scales.bytes());
    }
    if (globalDecodeScale.bytes() < 4) {
      throw new IllegalArgumentException("global decode scale buffer must hold one float");
    }
  }

  /** The first {@code m} rows of this operand (ROW_1x16 only: tiles would split). */
  public Nvfp4Operand firstRows(int m) {
    if (m <= 0 || m > rows) {
      throw new IllegalArgumentException("firstRows(" + m + ") of a " + rows + "-row operand");
    }
    if (m != rows && layout != Nvfp4Layout.ROW_1x16) {
      throw new IllegalArgumentException("firstRows needs ROW_1x16 scales, operand has " + layout);
    }
    return new Nvfp4Operand(packed, scales, globalDecodeScale, m, cols, layout, order);
  }

  /** Whether the codes are bit-placed (either row order). */
  public boolean bitPlaced() {
    return order.bitPlaced();
  }

  /** A view of a device tensor (the quantizer's output or an uploaded host tensor). */
  public static Nvfp4Operand of(Nvfp4DeviceTensor t) {
    return new Nvfp4Operand(t.packed(), t.scales(), t.globalDecodeScale(), t.rows(), t.cols(), t.layout());
  }
}
