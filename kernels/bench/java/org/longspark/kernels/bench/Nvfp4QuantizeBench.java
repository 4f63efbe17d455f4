package org.longspark.kernels.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.CudaStream;
import org.longspark.kernels.cuda.DeviceBuffer;
import org.longspark.kernels.nvfp4.Nvfp4CudaQuantizer;
import org.longspark.kernels.nvfp4.Nvfp4DeviceTensor;
import org.longspark.kernels.nvfp4.Nvfp4Input;
import org.longspark.kernels.nvfp4.Nvfp4Layout;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.kernels.nvfp4.Nvfp4Rounding;
import org.longspark.kernels.nvfp4.Nvfp4ScaleRule;
import org.longspark.kernels.nvfp4.Nvfp4Tensor;

/**
 * CUDA NVFP4 quantize/dequantize throughput on an 8192x8192 matrix against a device-to-device
 * copy of the same input measured in the same run. GB/s counts bytes read plus bytes written,
 * each once (the copy: input read + input written; encode: input read + codes and scales
 * written; the whole quantize counts the same minimal bytes although it reads the input twice,
 * once for the global amax). The inputs (256 MiB float32, 128 MiB BF16) are far larger than L2.
 *
 * <p>{@code bash .device/run.sh java org.longspark.kernels.bench.Nvfp4QuantizeBench [--out FILE.csv]}
 */
public final class Nvfp4QuantizeBench {
  private static final int N = 8192;

  private Nvfp4QuantizeBench() {}

  public static void main(String[] args) throws IOException {
    Path out = args.length >= 2 && args[0].equals("--out") ? Path.of(args[1]) : null;
    CudaDevice device = CudaDevice.open(0);
    System.out.println("device: " + device);
    List<String[]> rows = new ArrayList<>();
    long elements = (long) N * N;
    try (CudaStream s = CudaStream.create(device);
        DeviceTimer timer = new DeviceTimer(device, s);
        DeviceBuffer f32 = DeviceBuffer.allocate(device, elements * 4);
        DeviceBuffer bf16 = DeviceBuffer.allocate(device, elements * 2);
        DeviceBuffer copy = DeviceBuffer.allocate(device, elements * 4)) {
      fillRandom(f32, bf16);
      // Two seconds of quantizing first: the SM clock ramps up under load (the first configuration
      // timed without this ran 15% slower than the same kernels timed later).
      Nvfp4CudaQuantizer warm = new Nvfp4CudaQuantizer(device, Nvfp4Quantizer.builder().build());
      try (Nvfp4DeviceTensor t = warm.allocate(N, N)) {
        long until = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < until) {
          timer.add("warm-up", () -> {
            warm.computeAmax(f32, Nvfp4Input.FLOAT32, N, N, t.status(), s);
            warm.encode(f32, Nvfp4Input.FLOAT32, t, s);
          }).run(100, 1);
        }
      }
      for (Nvfp4Input type : Nvfp4Input.values()) {
        DeviceBuffer in = type == Nvfp4Input.FLOAT32 ? f32 : bf16;
        long inBytes = elements * type.bytes();
        for (Nvfp4Quantizer q : configurations()) {
          Nvfp4CudaQuantizer cq = new Nvfp4CudaQuantizer(device, q);
          try (Nvfp4DeviceTensor t = cq.quantize(in, type, N, N, s)) {
            long outBytes = elements / 2 + Nvfp4Tensor.scaleCount(N, N, q.layout());
            String name = type + " " + describe(q);
            timer.add("copy", () -> copy.copyFromAsync(in, inBytes, s))
                .add("amax", () -> cq.computeAmax(in, type, N, N, t.status(), s))
                .add("encode", () -> cq.encode(in, type, t, s))
                .add("both", () -> {
                  cq.computeAmax(in, type, N, N, t.status(), s);
                  cq.encode(in, type, t, s);
                })
                .add("dequantize", () -> Nvfp4CudaQuantizer.dequantize(t, copy, s));
            Map<String, Double> ms = timer.run(3, 31);
            double copyGbs = 2.0 * inBytes / ms.get("copy") / 1e6;
            rows.add(row(name + ": device-to-device copy of the input", ms.get("copy"), 2 * inBytes, copyGbs));
            rows.add(row(name + ": amax pass", ms.get("amax"), inBytes, copyGbs));
            rows.add(row(name + ": encode (amax given)", ms.get("encode"), inBytes + outBytes, copyGbs));
            rows.add(row(name + ": amax + encode", ms.get("both"), inBytes + outBytes, copyGbs));
            rows.add(row(name + ": dequantize to float32", ms.get("dequantize"), outBytes + elements * 4, copyGbs));
          }
        }
      }
    }
    print(rows, out);
  }

  private static List<Nvfp4Quantizer> configurations() {
    Nvfp4Quantizer base = Nvfp4Quantizer.builder().seed(1234).build();
    return List.of(
        base,
        base.toBuilder().layout(Nvfp4Layout.TILE_16x16).build(),
        base.toBuilder().rounding(Nvfp4Rounding.STOCHASTIC).build(),
        base.toBuilder().scaleRule(Nvfp4ScaleRule.FOUR_OVER_SIX).build(),
        base.toBuilder().hadamard(true).build(),
        base.toBuilder().layout(Nvfp4Layout.TILE_16x16).rounding(Nvfp4Rounding.STOCHASTIC)
            .scaleRule(Nvfp4ScaleRule.FOUR_OVER_SIX).hadamard(true).build());
  }

  private static String describe(Nvfp4Quantizer q) {
    return q.layout() + "/" + (q.rounding() == Nvfp4Rounding.NEAREST_EVEN ? "RN" : "SR") + "/"
        + (q.scaleRule() == Nvfp4ScaleRule.STATIC_6 ? "6" : "4-6") + (q.hadamard() ? "/RHT" : "");
  }

  private static String[] row(String what, double ms, long bytes, double copyGbs) {
    double gbs = bytes / ms / 1e6;
    return new String[] {
      what,
      String.format(Locale.ROOT, "%.1f", ms * 1000),
      String.format(Locale.ROOT, "%.0f", gbs),
      String.format(Locale.ROOT, "%.0f%%", 100 * gbs / copyGbs)
    };
  }

  /** Gaussian float32 data and its BF16 truncation, generated on the host once. */
  private static void fillRandom(DeviceBuffer f32, DeviceBuffer bf16) {
    SplittableRandom r = new SplittableRandom(20261125);
    int chunk = 1 << 22;
    float[] x = new float[chunk];
    short[] b = new short[chunk];
    try (DeviceBuffer stageF = DeviceBuffer.allocate(f32.device(), 4L * chunk);
        DeviceBuffer stageB = DeviceBuffer.allocate(f32.device(), 2L * chunk);
        CudaStream s = CudaStream.create(f32.device())) {
      for (long off = 0; off < (long) N * N; off += chunk) {
        for (int i = 0; i < chunk; i++) {
          double u = 1 - r.nextDouble();
          x[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble()));
          b[i] = (short) (Float.floatToRawIntBits(x[i]) >>> 16);
        }
        stageF.copyFromHost(x);
        stageB.copyFromHost(b);
        f32.copyRangeFromAsync(off * 4, stageF, 4L * chunk, s);
        bf16.copyRangeFromAsync(off * 2, stageB, 2L * chunk, s);
        s.synchronize();
      }
    }
  }

  private static void print(List<String[]> rows, Path out) throws IOException {
    String fmt = "%-60s %10s %8s %8s%n";
    System.out.printf(fmt, "what (8192x8192)", "us", "GB/s", "of copy");
    for (String[] r : rows) {
      System.out.printf(fmt, (Object[]) r);
    }
    if (out != null) {
      try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
        w.println("what,us,gb_per_s,fraction_of_copy");
        for (String[] r : rows) {
          w.println(String.join(",", r));
        }
      }
    }
  }
}
