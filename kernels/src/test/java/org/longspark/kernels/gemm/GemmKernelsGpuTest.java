package org.longspark.kernels.gemm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.CudaKernel;
import org.longspark.kernels.cuda.CudaStream;
import org.longspark.kernels.cuda.DependentLaunch;
import org.longspark.kernels.cuda.DeviceBuffer;
import org.longspark.kernels.cuda.GpuTests;
import org.longspark.kernels.cuda.KernelModule;
import org.longspark.kernels.gemm.GemmKernels.Op;
import org.longspark.kernels.nvfp4.Nvfp4DeviceTensor;
import org.longspark.kernels.nvfp4.Nvfp4Layout;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.kernels.nvfp4.Nvfp4Tensor;

/**
 * Every GEMM kernel and variant against {@link GemmReference}: fresh random inputs per case (seeded
 * by the case), outputs poisoned with NaN before each run (or filled with random values when the
 * epilogue accumulates), relative Frobenius error <= 1e-5 with fp32 output and <= 1e-2 with bf16.
 */
@Tag("gpu")
class GemmKernelsGpuTest {
  private static CudaDevice device;
  private static CudaStream stream;
  private static GemmKernels gemm;

  @BeforeAll
  static void open() {
    device = GpuTests.device(); // skips, saying why, without a usable GPU or built kernels
    stream = CudaStream.create(device);
    gemm = GemmKernels.load(device);
  }

  @AfterAll
  static void close() {
    if (stream != null) {
      stream.close();
    }
  }

  /** One product to check. */
  record Case(Op op, GemmVariant variant, int m, int n, int k, Nvfp4Layout weights, OutputFormat out, float alpha,
              boolean bias, boolean accumulate, Nvfp4CodeOrder order) {
    Case(Op op, GemmVariant variant, int m, int n, int k, Nvfp4Layout weights, OutputFormat out, float alpha, boolean bias,
         boolean accumulate) {
      this(op, variant, m, n, k, weights, out, alpha, bias, accumulate, Nvfp4CodeOrder.CODEC);
    }

    @Override
    public String toString() {
      return op + " " + variant + " m=" + m + " n=" + n + " k=" + k + (weights != null ? " " + weights : "")
          + (order.bitPlaced() ? " " + order : "") + " " + out + (alpha != 1f ? " alpha=" + alpha : "") + (bias ? " +bias" : "")
          + (accumulate ? " +=C" : "");
    }
  }

  static Stream<Case> cases() {
    List<Case> c = new ArrayList<>();
    Nvfp4Layout row = Nvfp4Layout.ROW_1x16, tile = Nvfp4Layout.TILE_16x16;
    OutputFormat f32 = OutputFormat.FP32, b16 = OutputFormat.BF16;
    // bf16 x bf16: forward (small-M and wgmma), dgrad, wgrad; tails in every dimension
    c.add(new Case(Op.LINEAR, GemmVariant.AUTO, 1, 256, 512, null, f32, 1f, false, false));
    c.add(new Case(Op.LINEAR, GemmVariant.skinny(2), 7, 336, 1024, null, b16, 1f, true, false));
    c.add(new Case(Op.LINEAR, GemmVariant.skinny(1), 16, 144, 640, null, f32, 0.5f, false, true));
    c.add(new Case(Op.LINEAR, GemmVariant.wgmma(256), 257, 384, 512, null, f32, 1f, false, false));
    c.add(new Case(Op.LINEAR, GemmVariant.wgmma(256), 33, 272, 80, null, b16, 0.5f, true, false));
    c.add(new Case(Op.LINEAR, GemmVariant.wgmma(128), 129, 400, 208, null, f32, 1f, true, true));
    c.add(new Case(Op.LINEAR_DGRAD, GemmVariant.wgmma(256), 257, 336, 384, null, f32, 1f, false, false));
    c.add(new Case(Op.LINEAR_DGRAD, GemmVariant.wgmma(128), 77, 512, 144, null, b16, 1f, true, true));
    c.add(new Case(Op.LINEAR_WGRAD, GemmVariant.wgmma(256), 333, 272, 384, null, f32, 1f, false, false));
    c.add(new Case(Op.LINEAR_WGRAD, GemmVariant.wgmma(128), 7, 48, 160, null, f32, 2f, false, true));
    // NVFP4, both weight scale layouts, each kernel family
    for (Op op : new Op[] {Op.W4A16, Op.W4A4}) {
      for (Nvfp4Layout w : new Nvfp4Layout[] {row, tile}) {
        c.add(new Case(op, GemmVariant.AUTO, 1, 384, 1024, w, f32, 1f, false, false));
        c.add(new Case(op, GemmVariant.skinny(2), 7, 400, 768, w, b16, 1f, true, false));
        c.add(new Case(op, GemmVariant.skinny(4), 16, 512, 4096, w, f32, 0.5f, false, true));
        c.add(new Case(op, GemmVariant.skinny(1), 5, 144, 512, w, f32, 1f, true, false));
        // 3 steps of 128 in k: 2 slices, the second's half for the row group's second warp is empty
        c.add(new Case(op, GemmVariant.skinny(4), 9, 160, 384, w, f32, 1f, false, false));
        c.add(new Case(op, GemmVariant.wgmma(256), 257, 384, 512, w, f32, 1f, false, false));
        c.add(new Case(op, GemmVariant.wgmma(256), 33, 400, 256, w, b16, 1f, true, false));
        c.add(new Case(op, GemmVariant.wgmma(128), 129, 272, 320, w, f32, 0.5f, true, true));
        c.add(new Case(op, GemmVariant.expand(256), 65, 272, 192, w, f32, 1f, true, false));
        c.add(new Case(op, GemmVariant.AUTO, 19, 160, 48, w, b16, 1f, false, false)); // k % 64 != 0: expand
        // bit-placed weights (small-M kernel), both row orders: every cluster size, odd m, both token groups
        for (Nvfp4CodeOrder o : new Nvfp4CodeOrder[] {Nvfp4CodeOrder.BIT_PLACED, Nvfp4CodeOrder.BIT_PLACED_PAIRED}) {
          c.add(new Case(op, GemmVariant.AUTO, 1, 384, 1024, w, f32, 1f, false, false, o));
          c.add(new Case(op, GemmVariant.skinny(1), 5, 144, 512, w, f32, 1f, true, false, o));
          c.add(new Case(op, GemmVariant.skinny(2), 7, 400, 768, w, b16, 1f, true, false, o));
          c.add(new Case(op, GemmVariant.skinny(4), 16, 512, 4096, w, f32, 0.5f, false, true, o));
          c.add(new Case(op, GemmVariant.skinny(4), 9, 160, 384, w, f32, 1f, false, false, o));
          if (op == Op.W4A4) { // a long K slice (6144): 1152 units of 64 k of raw activations per CTA, 2..3 per thread
            c.add(new Case(op, GemmVariant.skinny(2), 12, 144, 12288, w, b16, 1f, true, false, o));
          } else { // bit-placed W4A16 with more than 16 steps per warp (its 16x16 scales come 16 steps at a time)
            c.add(new Case(op, GemmVariant.skinny(2), 12, 144, 12288, w, f32, 1f, false, false, o));
            c.add(new Case(op, GemmVariant.skinny(1), 5, 272, 8192, w, b16, 0.5f, true, false, o));
          }
        }
        if (op == Op.W4A4) {
          c.add(new Case(op, GemmVariant.skinny(2), 12, 144, 12288, w, f32, 1f, false, false));
        }
      }
    }
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesCpuReference(Case c) {
    Random rnd = new Random(c.toString().hashCode());
    int outRows = c.op() == Op.LINEAR_WGRAD ? c.n() : c.m();
    int outCols = c.op() == Op.LINEAR_DGRAD || c.op() == Op.LINEAR_WGRAD ? c.k() : c.n();
    float[] bias = c.bias() ? uniform(rnd, outCols, 1f) : null;
    float[] old = c.accumulate() ? representable(uniform(rnd, outRows * outCols, 1f), c.out()) : null;
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      DeviceBuffer y = track(owned, DeviceBuffer.allocate(device, (long) outRows * outCols * c.out().bytes()));
      DeviceBuffer biasBuf = bias == null ? null : track(owned, DeviceBuffer.allocate(device, 4L * outCols).copyFromHost(bias));
      long scratch = gemm.workspaceBytes(c.op(), c.variant(), c.m(), c.n(), c.k());
      GemmWorkspace ws = track(owned, GemmWorkspace.allocate(device, scratch));

      Runnable launch;
      float[] ref;
      switch (c.op()) {
        case LINEAR:
        case LINEAR_DGRAD:
        case LINEAR_WGRAD: {
          int aLen = c.op() == Op.LINEAR_WGRAD || c.op() == Op.LINEAR_DGRAD ? c.m() * c.n() : c.m() * c.k();
          int bLen = c.op() == Op.LINEAR_WGRAD ? c.m() * c.k() : c.n() * c.k();
          short[] a = Bf16.fromFloats(uniform(rnd, aLen, 1f));
          short[] b = Bf16.fromFloats(uniform(rnd, bLen, 1f));
          DeviceBuffer da = track(owned, DeviceBuffer.allocate(device, 2L * aLen).copyFromHost(a));
          DeviceBuffer db = track(owned, DeviceBuffer.allocate(device, 2L * bLen).copyFromHost(b));
          float[] af = Bf16.toFloats(a), bf = Bf16.toFloats(b);
          if (c.op() == Op.LINEAR) {
            launch = () -> gemm.linear(stream, da, db, y, c.m(), c.n(), c.k(), c.out(), epiOf(c, biasBuf), c.variant(), ws);
            ref = GemmReference.linear(af, bf, c.m(), c.n(), c.k(), c.alpha(), bias, old);
          } else if (c.op() == Op.LINEAR_DGRAD) {
            launch = () -> gemm.linearDgrad(stream, da, db, y, c.m(), c.n(), c.k(), c.out(), epiOf(c, biasBuf), c.variant());
            ref = GemmReference.linearDgrad(af, bf, c.m(), c.n(), c.k(), c.alpha(), bias, old);
          } else {
            launch = () -> gemm.linearWgrad(stream, da, db, y, c.m(), c.n(), c.k(), c.out(), epiOf(c, biasBuf), c.variant());
            ref = GemmReference.linearWgrad(af, bf, c.m(), c.n(), c.k(), c.alpha(), bias, old);
          }
          break;
        }
        default: {
          Nvfp4Tensor w = Nvfp4Quantizer.builder().layout(c.weights()).build().quantize(weights(rnd, c.n(), c.k()), c.n(), c.k());
          Nvfp4Operand codec = Nvfp4Operand.of(track(owned, Nvfp4DeviceTensor.fromHost(device, w)));
          Nvfp4Operand wd = c.order().bitPlaced()
              ? gemm.bitPlace(stream, codec, track(owned, DeviceBuffer.allocate(device, (long) c.n() * c.k() / 2)), c.order())
              : codec;
          if (c.op() == Op.W4A16) {
            short[] x = Bf16.fromFloats(uniform(rnd, c.m() * c.k(), 2f));
            DeviceBuffer dx = track(owned, DeviceBuffer.allocate(device, 2L * x.length).copyFromHost(x));
            launch = () -> gemm.w4a16(stream, dx, wd, y, c.m(), c.out(), epiOf(c, biasBuf), c.variant(), ws);
            ref = GemmReference.w4a16(Bf16.toFloats(x), w, c.m(), c.alpha(), bias, old);
          } else {
            // The codec quantizes whole 16-row groups; the GEMM reads the first m rows.
            int padded = (c.m() + 15) / 16 * 16;
            Nvfp4Tensor x = Nvfp4Quantizer.builder().build().quantize(uniform(rnd, padded * c.k(), 2f), padded, c.k());
            Nvfp4Operand xm = Nvfp4Operand.of(track(owned, Nvfp4DeviceTensor.fromHost(device, x))).firstRows(c.m());
            launch = () -> gemm.w4a4(stream, xm, wd, y, c.m(), c.out(), epiOf(c, biasBuf), c.variant(), ws);
            ref = GemmReference.w4a4(x, w, c.m(), c.alpha(), bias, old);
          }
        }
      }
      // Twice: a second run on the same buffers must be as right.
      for (int run = 0; run < 2; run++) {
        prepareOutput(y, old, c.out());
        launch.run();
        stream.synchronize();
        float[] got = readOutput(y, outRows * outCols, c.out());
        double err = GemmReference.relativeError(got, ref);
        double tol = c.out() == OutputFormat.FP32 ? 1e-5 : 1e-2;
        assertTrue(err <= tol, c + " run " + run + ": relative error " + err + " > " + tol);
      }
    } finally {
      closeAll(owned);
    }
  }

  @Test
  void rejectsShapesTheKernelsCannotRun() {
    try (DeviceBuffer b = DeviceBuffer.allocate(device, 1 << 20); DeviceBuffer small = DeviceBuffer.allocate(device, 1024)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> gemm.linear(stream, b, b, b, 4, 24, 64, OutputFormat.FP32, Epilogue.none(), GemmVariant.AUTO, null));
      assertTrue(e.getMessage().contains("n must be a multiple of 16"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> gemm.linear(stream, small, b, b, 4, 32, 256, OutputFormat.FP32, Epilogue.none(), GemmVariant.AUTO, null));
      assertTrue(e.getMessage().contains("needs 2048 bytes"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> gemm.linear(stream, b, b, b, 32, 32, 256, OutputFormat.FP32, Epilogue.none(), GemmVariant.skinny(2), null));
      assertTrue(e.getMessage().contains("m <= 16"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> gemm.linear(stream, b, b, b, 8, 32, 256, OutputFormat.FP32, Epilogue.none(), GemmVariant.skinny(3), null));
      assertTrue(e.getMessage().contains("1, 2 or 4"), e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Nvfp4CodeOrder.class, names = {"BIT_PLACED", "BIT_PLACED_PAIRED"})
  void bitPlacementOnTheGpuMatchesTheCpuTwin(Nvfp4CodeOrder order) {
    Random rnd = new Random(7);
    int n = 48, k = 4096; // 98,304 bytes: several grid-stride rounds of words
    byte[] codes = new byte[n * k / 2];
    rnd.nextBytes(codes);
    try (DeviceBuffer packed = DeviceBuffer.allocate(device, codes.length).copyFromHost(codes);
        DeviceBuffer scales = DeviceBuffer.allocate(device, (long) n * k / 16);
        DeviceBuffer global = DeviceBuffer.allocate(device, 4);
        DeviceBuffer out = DeviceBuffer.allocate(device, codes.length)) {
      out.fill((byte) 0x5A);
      Nvfp4Operand codec = new Nvfp4Operand(packed, scales, global, n, k, Nvfp4Layout.ROW_1x16);
      Nvfp4Operand placed = gemm.bitPlace(stream, codec, out, order);
      stream.synchronize();
      byte[] got = new byte[codes.length];
      out.copyToHost(got);
      assertArrayEquals(Nvfp4BitPlacement.place(codes, n, k, order), got);
      assertEquals(order, placed.order());
      assertEquals(out, placed.packed());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> gemm.bitPlace(stream, placed, out));
      assertTrue(e.getMessage().contains("already bit-placed"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> gemm.bitPlace(stream, codec, out, Nvfp4CodeOrder.CODEC));
      assertTrue(e.getMessage().contains("needs a bit-placed order"), e.getMessage());
    }
  }

  @Test
  void pairedRowsRejectAnOddRowCount() {
    try (DeviceBuffer b = DeviceBuffer.allocate(device, 1 << 16); DeviceBuffer global = DeviceBuffer.allocate(device, 4)) {
      Nvfp4Operand odd = new Nvfp4Operand(b, b, global, 33, 256, Nvfp4Layout.ROW_1x16);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> gemm.bitPlace(stream, odd, b, Nvfp4CodeOrder.BIT_PLACED_PAIRED));
      assertTrue(e.getMessage().contains("paired rows need an even row count"), e.getMessage());
    }
  }

  @Test
  void bitPlacedWeightsOnlyGoToTheSmallMKernel() {
    int n = 32, k = 256;
    try (DeviceBuffer b = DeviceBuffer.allocate(device, 1 << 20); DeviceBuffer global = DeviceBuffer.allocate(device, 4)) {
      Nvfp4Operand placed = new Nvfp4Operand(b, b, global, n, k, Nvfp4Layout.ROW_1x16, Nvfp4CodeOrder.BIT_PLACED);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> gemm.w4a16(stream, b, placed, b, 17, OutputFormat.FP32, Epilogue.none(), GemmVariant.AUTO, null));
      assertTrue(e.getMessage().contains("bit-placed weights are read only by the small-M kernel"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> gemm.w4a4(stream, placed, placed, b, 4, OutputFormat.FP32, Epilogue.none(), GemmVariant.AUTO, null));
      assertTrue(e.getMessage().contains("activations must be in the codec's code order"), e.getMessage());
    }
  }

  @Test
  void autoPicksTheSmallMKernelForDecodeAndWgmmaOtherwise() {
    assertEquals(GemmVariant.Kind.SKINNY, gemm.resolve(Op.W4A16, GemmVariant.AUTO, 1, 8192, 8192, null).kind());
    assertEquals(0, gemm.workspaceBytes(Op.W4A16, GemmVariant.AUTO, 16, 8192, 8192));
    assertEquals(GemmVariant.Kind.WGMMA, gemm.resolve(Op.W4A4, GemmVariant.AUTO, 8192, 8192, 8192, null).kind());
    long bytes = gemm.workspaceBytes(Op.W4A4, GemmVariant.AUTO, 8192, 8192, 8192);
    assertEquals(2L * 8192 * 8192 * 2, bytes);
    try (GemmWorkspace ws = GemmWorkspace.allocate(device, bytes)) {
      assertEquals(GemmVariant.Kind.EXPAND, gemm.resolve(Op.W4A4, GemmVariant.AUTO, 8192, 8192, 8192, ws).kind());
    }
    assertEquals(256, gemm.resolve(Op.LINEAR, GemmVariant.AUTO, 8192, 8192, 8192, null).tileN());
  }

  // Programmatic dependent launch: a chain of small-M launches on one stream, each reading the
  // previous one's output as its activations (a decode step's pattern). Every output is poisoned
  // with NaN beforehand; the chain is enqueued while a delay kernel holds the GPU, so that it runs
  // back to back (Java enqueues a launch more slowly than these kernels run), and the grids are small
  // (8 CTA rows) so that each launch's CTAs start on free SMs while the previous kernel still runs.
  // A launch that read its input before the previous kernel had written all of it would not match
  // the reference computed from that input as finally written (with the kernels' wait removed, this
  // test fails). Then the same chain launched plainly must give the same bits.
  @ParameterizedTest(name = "{0}")
  @EnumSource(Nvfp4CodeOrder.class)
  void chainedDecodeLaunchesReadWhatThePreviousOneWrote(Nvfp4CodeOrder order) {
    assertTrue(gemm.dependentLaunch(), "programmatic dependent launch unavailable: " + DependentLaunch.unavailableReason());
    int m = 16, n = 1024, links = 8;
    CudaKernel delay = KernelModule.load(device, "bench_delay").kernel("bench_delay");
    Random rnd = new Random(20261126L + order.ordinal());
    float alpha = (float) (Math.sqrt(3.0 / n)); // uniform(-1, 1) weights: keeps the activations' scale along the chain
    List<AutoCloseable> owned = new ArrayList<>();
    try {
      Nvfp4Tensor[] w = new Nvfp4Tensor[links];
      Nvfp4Operand[] wd = new Nvfp4Operand[links];
      DeviceBuffer[] y = new DeviceBuffer[links + 1];
      y[0] = track(owned, DeviceBuffer.allocate(device, 2L * m * n).copyFromHost(Bf16.fromFloats(uniform(rnd, m * n, 2f))));
      for (int i = 0; i < links; i++) {
        w[i] = Nvfp4Quantizer.builder().layout(Nvfp4Layout.TILE_16x16).build().quantize(uniform(rnd, n * n, 1f), n, n);
        Nvfp4Operand codec = Nvfp4Operand.of(track(owned, Nvfp4DeviceTensor.fromHost(device, w[i])));
        wd[i] = order.bitPlaced() ? gemm.bitPlace(stream, codec, track(owned, DeviceBuffer.allocate(device, (long) n * n / 2)), order) : codec;
        y[i + 1] = track(owned, DeviceBuffer.allocate(device, 2L * m * n));
      }
      short[][] first = null;
      for (GemmKernels g : new GemmKernels[] {gemm, GemmKernels.load(device, false)}) {
        for (int i = 1; i <= links; i++) {
          y[i].fillAsync((byte) 0xFF, stream);
        }
        stream.synchronize(); // the chain below depends on nothing but its own launches
        delay.launch(stream, 1, 1, 1, 1, 1, 1, 0, 20_000_000L); // 20 ms: far longer than enqueuing the chain
        for (int i = 0; i < links; i++) {
          g.w4a16(stream, y[i], wd[i], y[i + 1], m, OutputFormat.BF16, Epilogue.none().withAlpha(alpha), GemmVariant.AUTO, null);
        }
        stream.synchronize();
        short[][] got = new short[links + 1][m * n];
        for (int i = 0; i <= links; i++) {
          y[i].copyToHost(got[i]);
        }
        for (int i = 0; i < links; i++) {
          float[] ref = GemmReference.w4a16(Bf16.toFloats(got[i]), w[i], m, alpha, null, null);
          double err = GemmReference.relativeError(Bf16.toFloats(got[i + 1]), ref);
          assertTrue(err <= 1e-2, order + (g == gemm ? " dependent" : " plain") + " link " + i + ": relative error " + err);
        }
        if (first == null) {
          first = got;
        } else {
          assertArrayEquals(first[links], got[links], order + ": plain and dependent launches differ");
        }
      }
    } finally {
      closeAll(owned);
    }
  }

  private static Epilogue epiOf(Case c, DeviceBuffer bias) {
    Epilogue e = Epilogue.none().withAlpha(c.alpha());
    if (bias != null) {
      e = e.withBias(bias);
    }
    return c.accumulate() ? e.accumulating() : e;
  }

  private static void closeAll(List<AutoCloseable> owned) {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> owned, T t) {
    owned.add(t);
    return t;
  }

  private static void prepareOutput(DeviceBuffer y, float[] old, OutputFormat out) {
    if (old == null) {
      y.fill((byte) 0xFF); // NaN in fp32 and bf16: any element the kernel misses fails the check
    } else if (out == OutputFormat.FP32) {
      y.copyFromHost(old);
    } else {
      y.copyFromHost(Bf16.fromFloats(old));
    }
  }

  private static float[] readOutput(DeviceBuffer y, int count, OutputFormat out) {
    if (out == OutputFormat.FP32) {
      float[] f = new float[count];
      y.copyToHost(f);
      return f;
    }
    short[] s = new short[count];
    y.copyToHost(s);
    return Bf16.toFloats(s);
  }

  // Values the output format holds exactly, so the reference adds what the kernel reads.
  private static float[] representable(float[] v, OutputFormat out) {
    return out == OutputFormat.BF16 ? Bf16.toFloats(Bf16.fromFloats(v)) : v;
  }

  private static float[] uniform(Random r, int n, float scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (r.nextFloat() * 2f - 1f) * scale;
    }
    return x;
  }

  // Weight-like values: gaussian rows with per-row magnitudes over two decades, so the block
  // scales differ a lot across the matrix.
  private static float[] weights(Random r, int rows, int cols) {
    float[] x = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      double rowScale = Math.pow(10, r.nextDouble() * 2 - 1);
      for (int j = 0; j < cols; j++) {
        x[i * cols + j] = (float) (r.nextGaussian() * rowScale);
      }
    }
    return x;
  }
}
