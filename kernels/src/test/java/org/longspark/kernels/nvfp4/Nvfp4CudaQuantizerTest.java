package org.longspark.kernels.nvfp4;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.CudaStream;
import org.longspark.kernels.cuda.DeviceBuffer;
import org.longspark.kernels.cuda.GpuTests;

/** CPU-vs-GPU parity: the CUDA quantizer equals the Java codec bit for bit on 4096x4096 inputs. */
@Tag("gpu")
class Nvfp4CudaQuantizerTest {
  private static final int N = 4096;

  static Stream<Object[]> everyCombination() {
    List<Object[]> out = new ArrayList<>();
    long seed = 100;
    for (Nvfp4Input in : Nvfp4Input.values()) {
      for (Nvfp4Layout layout : Nvfp4Layout.values()) {
        for (Nvfp4Rounding rounding : Nvfp4Rounding.values()) {
          for (Nvfp4ScaleRule rule : Nvfp4ScaleRule.values()) {
            for (boolean hadamard : new boolean[] {false, true}) {
              Nvfp4Quantizer q = Nvfp4Quantizer.builder().layout(layout).rounding(rounding).scaleRule(rule)
                  .hadamard(hadamard).seed(0x5EED0000L + seed).build();
              out.add(new Object[] {in, q, seed++});
            }
          }
        }
      }
    }
    return out.stream();
  }

  /**
   * Fresh inputs per combination: Gaussian rows with per-row magnitudes over many decades (so
   * block scales cover E4M3's normal and subnormal range), plus zeros and negative zeros.
   */
  static float[] input(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      int row = i / N;
      double rowScale = Math.pow(10, (row % 97) / 12.0 - 4);
      x[i] = (float) (gaussian(r) * rowScale);
      if (r.nextInt(1000) == 0) {
        x[i] = r.nextBoolean() ? 0f : -0f;
      }
    }
    return x;
  }

  private static double gaussian(SplittableRandom r) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u = 1 - r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyCombination")
  void matchesTheJavaCodecBitForBit(Nvfp4Input type, Nvfp4Quantizer q, long seed) {
    CudaDevice d = GpuTests.device();
    float[] x = input(seed, N * N);
    Nvfp4Tensor expected;
    Nvfp4Tensor actual;
    try (CudaStream s = CudaStream.create(d);
        DeviceBuffer in = DeviceBuffer.allocate(d, (long) N * N * type.bytes())) {
      if (type == Nvfp4Input.FLOAT32) {
        in.copyFromHost(x);
        expected = q.quantize(x, N, N);
      } else {
        short[] bf = new short[x.length];
        for (int i = 0; i < x.length; i++) {
          bf[i] = (short) (Float.floatToRawIntBits(x[i]) >>> 16);
        }
        in.copyFromHost(bf);
        expected = q.quantizeBf16(bf, N, N);
      }
      Nvfp4CudaQuantizer cq = new Nvfp4CudaQuantizer(d, q);
      try (Nvfp4DeviceTensor out = cq.allocate(N, N)) {
        out.packed().fill((byte) 0xA5); // poison: every byte must be written
        out.scales().fill((byte) 0xA5);
        out.globalDecodeScale().fill((byte) 0xA5);
        cq.computeAmax(in, type, N, N, out.status(), s);
        cq.encode(in, type, out, s);
        out.checkFinite(s);
        actual = out.toHost(s);

        // The dequantize kernel decodes like the Java codec, bit for bit too.
        try (DeviceBuffer deq = DeviceBuffer.allocate(d, 4L * N * N).fill((byte) 0xA5)) {
          Nvfp4CudaQuantizer.dequantize(out, deq, s);
          s.synchronize();
          float[] y = new float[N * N];
          deq.copyToHost(y);
          float[] ref = expected.dequantize();
          int i = mismatch(ref, y);
          assertEquals(-1, i, () -> "dequantize differs at " + i + ": " + ref[i] + " vs " + y[i]);
        }
      }
    }
    assertEquals(Float.floatToRawIntBits(expected.globalDecodeScale()), Float.floatToRawIntBits(actual.globalDecodeScale()),
        "global decode scale");
    assertSame("scales", expected.scales(), actual.scales());
    assertSame("codes", expected.packed(), actual.packed());
  }

  private static int mismatch(float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
        return i;
      }
    }
    return -1;
  }

  private static void assertSame(String what, byte[] expected, byte[] actual) {
    int i = Arrays.mismatch(expected, actual);
    if (i >= 0) {
      int diffs = 0;
      for (int k = 0; k < expected.length; k++) {
        diffs += expected[k] != actual[k] ? 1 : 0;
      }
      fail(String.format("%s differ first at byte %d: CPU 0x%02X, GPU 0x%02X (%d of %d bytes differ)",
          what, i, expected[i], actual[i], diffs, expected.length));
    }
  }

  @Test
  void nonFiniteInputIsReportedWithItsIndex() {
    CudaDevice d = GpuTests.device();
    float[] x = input(1, 64 * 64);
    x[37 * 64 + 5] = Float.NaN;
    x[40 * 64] = Float.NEGATIVE_INFINITY;
    Nvfp4CudaQuantizer cq = new Nvfp4CudaQuantizer(d, Nvfp4Quantizer.builder().build());
    try (CudaStream s = CudaStream.create(d);
        DeviceBuffer in = DeviceBuffer.allocate(d, 4L * x.length).copyFromHost(x);
        Nvfp4DeviceTensor out = cq.quantize(in, Nvfp4Input.FLOAT32, 64, 64, s)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> out.checkFinite(s));
      assertTrue(e.getMessage().contains("index " + (37 * 64 + 5)) && e.getMessage().contains("row 37, col 5"), e.getMessage());
    }
  }

  @Test
  void deviceTensorRoundTripsThroughTheHost() {
    CudaDevice d = GpuTests.device();
    Nvfp4Tensor t = Nvfp4Quantizer.builder().layout(Nvfp4Layout.TILE_16x16).build().quantize(input(2, 64 * 128), 64, 128);
    try (CudaStream s = CudaStream.create(d); Nvfp4DeviceTensor dt = Nvfp4DeviceTensor.fromHost(d, t)) {
      Nvfp4Tensor back = dt.toHost(s);
      assertArrayEquals(t.packed(), back.packed());
      assertArrayEquals(t.scales(), back.scales());
      assertEquals(t.globalDecodeScale(), back.globalDecodeScale());
    }
  }

  @Test
  void rejectsBadShapesAndSmallBuffers() {
    CudaDevice d = GpuTests.device();
    Nvfp4CudaQuantizer cq = new Nvfp4CudaQuantizer(d, Nvfp4Quantizer.builder().build());
    try (CudaStream s = CudaStream.create(d); DeviceBuffer in = DeviceBuffer.allocate(d, 4L * 32 * 32)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cq.quantize(in, Nvfp4Input.FLOAT32, 32, 40, s));
      assertTrue(e.getMessage().contains("40"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> cq.quantize(in, Nvfp4Input.FLOAT32, 64, 32, s));
      assertTrue(e.getMessage().contains("too small"), e.getMessage());
    }
  }
}
