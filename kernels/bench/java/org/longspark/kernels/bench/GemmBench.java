package org.longspark.kernels.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.CudaEvent;
import org.longspark.kernels.cuda.CudaKernel;
import org.longspark.kernels.cuda.CudaStream;
import org.longspark.kernels.cuda.DeviceBuffer;
import org.longspark.kernels.cuda.KernelModule;
import org.longspark.kernels.gemm.Epilogue;
import org.longspark.kernels.gemm.GemmKernels;
import org.longspark.kernels.gemm.GemmKernels.Op;
import org.longspark.kernels.gemm.GemmVariant;
import org.longspark.kernels.gemm.GemmWorkspace;
import org.longspark.kernels.gemm.Nvfp4CodeOrder;
import org.longspark.kernels.gemm.Nvfp4Operand;
import org.longspark.kernels.gemm.OutputFormat;
import org.longspark.kernels.nvfp4.Nvfp4DeviceTensor;
import org.longspark.kernels.nvfp4.Nvfp4Layout;
import org.longspark.kernels.nvfp4.Nvfp4Tensor;

/**
 * GEMM benchmark: times this project's kernels on the issue-3 shapes and prints one table beside
 * cuBLAS BF16 measured in the same device call by kernels/bench/cublas_bench.py (same method:
 * CUDA events, warm-up, median of 15 batches, inputs rotated among sets larger than twice L2;
 * here each batch is enqueued behind a short delay kernel so that Java's per-launch host cost,
 * which exceeds a 20 us kernel, does not leave the GPU idle inside the timed region).
 *
 * <pre>
 *   python3 kernels/bench/cublas_bench.py --out $OUT/cublas.csv
 *   java org.longspark.kernels.bench.GemmBench --cublas $OUT/cublas.csv --out $OUT/gemm.csv
 * </pre>
 *
 * {@code --max-m M} (both programs) keeps only the shapes with at most M rows, e.g. 64 for the decode shapes.
 *
 * Inputs are random (bf16 in [-2, 2); NVFP4 codes uniform over all 16, E4M3 scales in [2^-5, 1));
 * outputs are bf16, as torch.matmul's. Rows: bf16 linear, W4A16 and W4A4 with 16x16-tile weight
 * scales (AUTO variant), and at the bar shapes the other variants side by side. At M <= 16 each
 * row is timed twice: launched as GemmKernels launches it, with programmatic dependent launch
 * (variant "... pdl": each launch of a timed batch overlaps its start with the previous one's tail,
 * as in a decode step's chain of GEMMs), and plainly (no suffix), which is how cuBLAS is timed.
 */
public final class GemmBench {
  private static final int[][] SHAPES = {
    {1, 8192, 8192}, {16, 8192, 8192}, {64, 8192, 8192}, {256, 8192, 8192}, {1024, 8192, 8192},
    {8192, 8192, 8192}, {7040, 3072, 3072}, {7040, 9216, 3072}, {7040, 14336, 3072}, {7040, 3072, 14336}
  };

  private static final Nvfp4CodeOrder[] BIT_PLACED_ORDERS = {Nvfp4CodeOrder.BIT_PLACED, Nvfp4CodeOrder.BIT_PLACED_PAIRED};

  private final CudaDevice device;
  private final CudaStream stream;
  private final GemmKernels gemm;
  private final GemmKernels plain; // the small-M kernels launched without programmatic dependent launch
  private final long l2;
  private final SplittableRandom random = new SplittableRandom(20261125L);
  private final CudaKernel delay;

  private GemmBench(CudaDevice device) {
    this.device = device;
    this.stream = CudaStream.create(device);
    this.gemm = GemmKernels.load(device);
    this.plain = GemmKernels.load(device, false);
    this.l2 = device.l2CacheBytes();
    this.delay = KernelModule.load(device, "bench_delay").kernel("bench_delay");
  }

  record Row(int m, int n, int k, String kernel, String variant, double us, double bytes, double cublasUs) {
    double tflops() {
      return 2.0 * m * n * k / us * 1e-6;
    }

    double gbs() {
      return bytes / us * 1e-3;
    }
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i], args[i + 1]);
    }
    Map<String, Double> cublas = opt.containsKey("--cublas") ? readCublas(Path.of(opt.get("--cublas"))) : Map.of();
    CudaDevice device = CudaDevice.open(0);
    GemmBench bench = new GemmBench(device);
    List<Row> rows = new ArrayList<>();
    int maxM = Integer.parseInt(opt.getOrDefault("--max-m", String.valueOf(Integer.MAX_VALUE)));
    for (int[] s : SHAPES) {
      if (s[0] > maxM) {
        continue;
      }
      rows.addAll(bench.shape(s[0], s[1], s[2], cublas.getOrDefault(s[0] + "," + s[1] + "," + s[2], Double.NaN)));
    }
    String header = String.format(Locale.ROOT, "%s, %d SMs, L2 %d MiB, %s", device.name(), device.multiprocessorCount(),
        device.l2CacheBytes() >> 20, LocalDate.now());
    printTable(header, rows);
    if (opt.containsKey("--out")) {
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(Path.of(opt.get("--out"))))) {
        w.println("# " + header);
        w.println("M,N,K,kernel,variant,us,tflops,gbs,cublas_us");
        for (Row r : rows) {
          w.printf(Locale.ROOT, "%d,%d,%d,%s,%s,%.3f,%.2f,%.1f,%.3f%n", r.m, r.n, r.k, r.kernel, r.variant, r.us, r.tflops(),
              r.gbs(), r.cublasUs);
        }
      }
    }
  }

  private List<Row> shape(int m, int n, int k, double cublasUs) {
    List<Row> out = new ArrayList<>();
    boolean decodeBar = m <= 16 && n == 8192 && k == 8192;
    boolean bigBar = m == 8192 && n == 8192 && k == 8192;
    long outBytes = 2L * m * n;
    try (DeviceBuffer y = DeviceBuffer.allocate(device, 4L * m * n)) {
      // bf16 x bf16
      {
        long per = 2L * m * k + 2L * n * k;
        int sets = sets(per);
        List<DeviceBuffer> xs = new ArrayList<>(), ws = new ArrayList<>();
        try {
          for (int i = 0; i < sets; i++) {
            xs.add(bf16(m * (long) k));
            ws.add(bf16(n * (long) k));
          }
          GemmVariant v = GemmVariant.AUTO;
          try (GemmWorkspace w = GemmWorkspace.allocate(device, gemm.workspaceBytes(Op.LINEAR, v, m, n, k))) {
            for (GemmKernels g : launchModes(m)) {
              double us = time(i -> g.linear(stream, xs.get(i), ws.get(i), y, m, n, k, OutputFormat.BF16, Epilogue.none(), v, w), sets);
              out.add(new Row(m, n, k, "bf16", variant(g, g.resolve(Op.LINEAR, v, m, n, k, w)), us, per + outBytes, cublasUs));
            }
          }
        } finally {
          closeAll(xs);
          closeAll(ws);
        }
      }
      // NVFP4 weights (and activations)
      for (Nvfp4Layout layout : new Nvfp4Layout[] {Nvfp4Layout.TILE_16x16, Nvfp4Layout.ROW_1x16}) {
        if (layout == Nvfp4Layout.ROW_1x16 && !(decodeBar || bigBar)) {
          continue;
        }
        String lay = layout == Nvfp4Layout.TILE_16x16 ? "16x16" : "1x16";
        long wBytes = n * (long) k / 2 + (layout == Nvfp4Layout.TILE_16x16 ? (n / 16L) * (k / 16) : n * (long) k / 16);
        long aFp4 = m * (long) k / 2 + m * (long) k / 16;
        int sets = sets(wBytes + 2L * m * k);
        List<Nvfp4DeviceTensor> wts = new ArrayList<>(), acts = new ArrayList<>();
        List<DeviceBuffer> xs = new ArrayList<>(), placedCodes = new ArrayList<>();
        try {
          for (int i = 0; i < sets; i++) {
            wts.add(fp4(n, k, layout));
            acts.add(fp4((m + 15) / 16 * 16, k, Nvfp4Layout.ROW_1x16)); // the codec's 16-row groups; m are read
            xs.add(bf16(m * (long) k));
          }
          List<GemmVariant> variants = new ArrayList<>(List.of(GemmVariant.AUTO));
          if (bigBar) {
            variants.add(GemmVariant.wgmma(256));
            variants.add(GemmVariant.expand(256));
          }
          for (GemmVariant v : variants) {
            if (v != GemmVariant.AUTO && v.equals(autoChoice(Op.W4A16, m, n, k)) && v.equals(autoChoice(Op.W4A4, m, n, k))) {
              continue; // already measured as AUTO
            }
            for (GemmKernels g : launchModes(m)) {
              try (GemmWorkspace w = GemmWorkspace.allocate(device, g.workspaceBytes(Op.W4A16, v, m, n, k))) {
                double us = time(i -> g.w4a16(stream, xs.get(i), Nvfp4Operand.of(wts.get(i)), y, m, OutputFormat.BF16, Epilogue.none(), v, w), sets);
                out.add(new Row(m, n, k, "w4a16 " + lay, variant(g, g.resolve(Op.W4A16, v, m, n, k, w)), us, wBytes + 2L * m * k + outBytes, cublasUs));
              }
              try (GemmWorkspace w = GemmWorkspace.allocate(device, g.workspaceBytes(Op.W4A4, v, m, n, k))) {
                double us = time(i -> g.w4a4(stream, Nvfp4Operand.of(acts.get(i)).firstRows(m), Nvfp4Operand.of(wts.get(i)), y, m, OutputFormat.BF16, Epilogue.none(), v, w), sets);
                out.add(new Row(m, n, k, "w4a4 " + lay, variant(g, g.resolve(Op.W4A4, v, m, n, k, w)), us, wBytes + aFp4 + outBytes, cublasUs));
              }
            }
          }
          // the small-M kernel's own weight format, bit-placed once per weight set, in both row orders
          if (m <= 16) {
            for (Nvfp4CodeOrder order : BIT_PLACED_ORDERS) {
              List<Nvfp4Operand> placed = new ArrayList<>();
              for (Nvfp4DeviceTensor t : wts) {
                DeviceBuffer codes = DeviceBuffer.allocate(device, n * (long) k / 2);
                placedCodes.add(codes);
                placed.add(gemm.bitPlace(stream, Nvfp4Operand.of(t), codes, order));
              }
              GemmVariant v = GemmVariant.AUTO;
              String name = order == Nvfp4CodeOrder.BIT_PLACED ? " bit-placed" : " bit-placed paired";
              for (GemmKernels g : launchModes(m)) {
                String variant = variant(g, g.resolve(Op.W4A16, v, m, n, k, null));
                double us16 = time(i -> g.w4a16(stream, xs.get(i), placed.get(i), y, m, OutputFormat.BF16, Epilogue.none(), v, null), sets);
                out.add(new Row(m, n, k, "w4a16 " + lay + name, variant, us16, wBytes + 2L * m * k + outBytes, cublasUs));
                double us4 = time(i -> g.w4a4(stream, Nvfp4Operand.of(acts.get(i)).firstRows(m), placed.get(i), y, m, OutputFormat.BF16, Epilogue.none(), v, null), sets);
                out.add(new Row(m, n, k, "w4a4 " + lay + name, variant, us4, wBytes + aFp4 + outBytes, cublasUs));
              }
              closeAll(placedCodes);
              placedCodes.clear();
            }
          }
        } finally {
          closeAll(placedCodes);
          wts.forEach(Nvfp4DeviceTensor::close);
          acts.forEach(Nvfp4DeviceTensor::close);
          closeAll(xs);
        }
      }
    }
    return out;
  }

  // Small M (the kernels that launch with programmatic dependent launch): both ways, dependent first;
  // otherwise the default instance only.
  private List<GemmKernels> launchModes(int m) {
    return m <= 16 && gemm.dependentLaunch() ? List.of(gemm, plain) : List.of(gemm);
  }

  // "skinny/s2 pdl": launched with programmatic dependent launch, so each timed launch overlaps its
  // start with the previous one's tail (a decode step's chain); without the suffix, plainly.
  private static String variant(GemmKernels g, GemmVariant resolved) {
    return resolved + (g.dependentLaunch() && resolved.kind() == GemmVariant.Kind.SKINNY ? " pdl" : "");
  }

  private GemmVariant autoChoice(Op op, int m, int n, int k) {
    try (GemmWorkspace w = GemmWorkspace.allocate(device, gemm.workspaceBytes(op, GemmVariant.AUTO, m, n, k))) {
      return gemm.resolve(op, GemmVariant.AUTO, m, n, k, w);
    }
  }

  // Enough input sets that one pass over them exceeds twice the L2 cache (at least 2, at most 8).
  private int sets(long bytesPerSet) {
    return (int) Math.max(2, Math.min(8, 2 * l2 / Math.max(1, bytesPerSet) + 1));
  }

  // Median over 15 batches of the mean device time per launch; each batch about 2 ms of work,
  // enqueued while bench_delay holds the GPU, so the host's launch cost leaves no gaps in it.
  // Warm-up: about 0.2 s of launches (module load, JIT compilation of the launch path).
  private double time(IntConsumer launch, int sets) {
    try (CudaEvent a = CudaEvent.create(device); CudaEvent b = CudaEvent.create(device)) {
      launch.accept(0);
      stream.synchronize();
      a.record(stream);
      launch.accept(0);
      b.record(stream);
      b.synchronize();
      double one = CudaEvent.elapsedMillis(a, b);
      int warm = (int) Math.max(5, Math.min(3000, 200.0 / Math.max(one, 1e-3)));
      for (int i = 0; i < warm; i++) {
        launch.accept(i % sets);
      }
      stream.synchronize();
      a.record(stream);
      launch.accept(0);
      b.record(stream);
      b.synchronize();
      one = CudaEvent.elapsedMillis(a, b);
      int iters = (int) Math.max(2, Math.min(200, 2.0 / Math.max(one, 1e-3)));
      // generous: Java enqueues a launch in well under 50 us
      long holdNs = (long) (iters * 50_000L + 200_000L);
      double[] per = new double[15];
      for (int rep = 0; rep < per.length; rep++) {
        delay.launch(stream, 1, 1, 1, 1, 1, 1, 0, holdNs);
        a.record(stream);
        for (int i = 0; i < iters; i++) {
          launch.accept((rep * iters + i) % sets);
        }
        b.record(stream);
        b.synchronize();
        per[rep] = CudaEvent.elapsedMillis(a, b) * 1000.0 / iters;
      }
      Arrays.sort(per);
      return per[per.length / 2];
    }
  }

  private DeviceBuffer bf16(long count) {
    short[] h = new short[Math.toIntExact(count)];
    for (int i = 0; i < h.length; i++) {
      // sign, exponent of 0.5..1 or 1..2, random mantissa: never NaN, never zero
      h[i] = (short) ((random.nextInt() & 0x80FF) | 0x3F00);
    }
    return DeviceBuffer.allocate(device, 2 * count).copyFromHost(h);
  }

  private Nvfp4DeviceTensor fp4(int rows, int cols, Nvfp4Layout layout) {
    byte[] codes = new byte[Math.toIntExact((long) rows * cols / 2)];
    random.nextBytes(codes);
    int scaleCount = (layout == Nvfp4Layout.ROW_1x16 ? rows : rows / 16) * (cols / 16);
    byte[] scales = new byte[scaleCount];
    for (int i = 0; i < scales.length; i++) {
      scales[i] = (byte) (0x10 + random.nextInt(0x28)); // E4M3 2^-5 .. ~0.9
    }
    return Nvfp4DeviceTensor.fromHost(device, new Nvfp4Tensor(rows, cols, layout, false, codes, scales, 0.01f));
  }

  private static void closeAll(List<DeviceBuffer> bufs) {
    bufs.forEach(DeviceBuffer::close);
  }

  private static Map<String, Double> readCublas(Path csv) throws IOException {
    Map<String, Double> m = new HashMap<>();
    for (String line : Files.readAllLines(csv)) {
      if (line.startsWith("#") || line.startsWith("M,") || line.isBlank()) {
        continue;
      }
      String[] f = line.split(",");
      m.put(f[0] + "," + f[1] + "," + f[2], Double.parseDouble(f[3]));
    }
    return m;
  }

  private static void printTable(String header, List<Row> rows) {
    System.out.println();
    System.out.println("GEMM benchmark, " + header + " (bf16 output; cuBLAS = torch.matmul bf16, same run)");
    String fmt = "| %5s %5s %5s | %-29s | %-14s | %9s | %7s | %7s | %11s | %9s | %9s |%n";
    System.out.printf(Locale.ROOT, fmt, "M", "N", "K", "kernel", "variant", "ours us", "TFLOP/s", "GB/s", "cuBLAS us",
        "time/cuB", "TFLOPS/cuB");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "| %5d %5d %5d | %-29s | %-14s | %9.2f | %7.1f | %7.0f | %11.2f | %9.3f | %8.1f%% |%n",
          r.m, r.n, r.k, r.kernel, r.variant, r.us, r.tflops(), r.gbs(), r.cublasUs, r.us / r.cublasUs,
          100.0 * r.cublasUs / r.us);
    }
    System.out.println();
    System.out.println("Bars (issue 3):");
    for (Row r : rows) {
      boolean decode = r.m <= 16 && r.n == 8192 && r.k == 8192 && !r.kernel.startsWith("bf16");
      boolean big = r.m == 8192 && r.n == 8192 && r.k == 8192 && !r.kernel.startsWith("w4a16");
      if (decode) {
        System.out.printf(Locale.ROOT, "  M=%-5d %-29s %-14s time/cuBLAS %.3f (bar <= 0.333): %s%n", r.m, r.kernel, r.variant,
            r.us / r.cublasUs, r.us / r.cublasUs <= 1.0 / 3 ? "PASS" : "FAIL");
      } else if (big) {
        System.out.printf(Locale.ROOT, "  M=%-5d %-29s %-14s TFLOP/s vs cuBLAS %.1f%% (bar >= 60%%): %s%n", r.m, r.kernel, r.variant,
            100.0 * r.cublasUs / r.us, r.cublasUs / r.us >= 0.6 ? "PASS" : "FAIL");
      }
    }
  }
}
