package org.longspark.barrier.sp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.longspark.kernels.nvfp4.Nvfp4Layout;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.kernels.nvfp4.Nvfp4Tensor;

/**
 * One message part of activations as NVFP4 on the wire: a float32 global decode scale, the E2M1
 * codes (two per byte) and one E4M3 scale per 16 elements along a row (a head vector), with the
 * codec's ROW_1x16 recipe (round to nearest even, static 6 scale rule). 4.5 bits per element plus
 * 4 bytes per part.
 */
final class Nvfp4Payload {
  private static final Nvfp4Quantizer QUANTIZER = Nvfp4Quantizer.builder()
      .layout(Nvfp4Layout.ROW_1x16).build();

  private Nvfp4Payload() {}

  /** Encoded size of a part of {@code elements} values. */
  static int bytes(int elements) {
    return 4 + elements / 2 + elements / 16;
  }

  /**
   * Encodes {@code values[from, from + rows*cols)} into {@code dst} (advancing it); returns the
   * squared error of the decoded values, so the caller can report what the encoding cost.
   */
  static double encode(float[] values, int from, int rows, int cols, ByteBuffer dst) {
    float[] part = java.util.Arrays.copyOfRange(values, from, from + rows * cols);
    Nvfp4Tensor q = QUANTIZER.quantize(part, rows, cols);
    dst.order(ByteOrder.nativeOrder()).putFloat(q.globalDecodeScale()).put(q.packed())
        .put(q.scales());
    float[] back = q.dequantize();
    double err = 0;
    for (int i = 0; i < part.length; i++) {
      double d = (double) part[i] - back[i];
      err += d * d;
    }
    return err;
  }

  /** Decodes a part written by {@link #encode} from {@code src} (advancing it) into values. */
  static void decode(ByteBuffer src, int rows, int cols, float[] values, int from) {
    int n = rows * cols;
    float global = src.order(ByteOrder.nativeOrder()).getFloat();
    byte[] packed = new byte[n / 2];
    byte[] scales = new byte[n / 16];
    src.get(packed).get(scales);
    float[] v = new Nvfp4Tensor(rows, cols, Nvfp4Layout.ROW_1x16, false, packed, scales, global)
        .dequantize();
    System.arraycopy(v, 0, values, from, n);
  }
}
