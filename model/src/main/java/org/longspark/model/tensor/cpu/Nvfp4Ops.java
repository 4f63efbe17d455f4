package org.longspark.model.tensor.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.model.Seeds;

/**
 * NVFP4 quantize-then-dequantize of 2-D NDArrays through the kernels module's Java codec: the
 * dequantized values are exactly the operands a real NVFP4 GEMM multiplies (every E2M1 value times
 * an E4M3 scale times the global scale is exact in float32), so a float32 matmul of them gives the
 * products of an NVFP4 GEMM with float32 accumulation.
 */
final class Nvfp4Ops {
  private Nvfp4Ops() {}

  /** Q(a) for a [rows, cols] with blocks along cols; the result lives in a's manager. */
  static NDArray fakeQuantize(NDArray a, Nvfp4Quantizer q, DataType type, String what) {
    long[] s = a.getShape().getShape();
    float[] data = CpuBackend.floats(a);
    return dequantized(a, q, data, (int) s[0], (int) s[1], type, what);
  }

  /** Q(a^T) for a [rows, cols]: the transpose [cols, rows] quantized with blocks along rows of a. */
  static NDArray fakeQuantizeTransposed(NDArray a, Nvfp4Quantizer q, DataType type, String what) {
    long[] s = a.getShape().getShape();
    int rows = (int) s[0];
    int cols = (int) s[1];
    float[] data = CpuBackend.floats(a);
    float[] t = new float[data.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = data[r * cols + c];
      }
    }
    return dequantized(a, q, t, cols, rows, type, what);
  }

  private static NDArray dequantized(NDArray like, Nvfp4Quantizer q, float[] data, int rows,
      int cols, DataType type, String what) {
    float[] deq;
    try {
      deq = q.quantize(data, rows, cols).dequantize();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "NVFP4 " + what + " [" + rows + ", " + cols + "]: " + e.getMessage(), e);
    }
    NDArray out = like.getManager().create(deq, new Shape(rows, cols));
    return type == DataType.FLOAT32 ? out : out.toType(type, false);
  }

  /** Distinct stochastic-rounding seeds for the two quantizations of dY in one backward. */
  static long seedFor(long layerSeed, int use) {
    return Seeds.derive(layerSeed, 0x4e5646, use);
  }
}
