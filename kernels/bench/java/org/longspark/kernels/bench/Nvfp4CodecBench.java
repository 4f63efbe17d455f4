package org.longspark.kernels.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.longspark.kernels.nvfp4.Nvfp4Layout;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.kernels.nvfp4.Nvfp4Rounding;
import org.longspark.kernels.nvfp4.Nvfp4ScaleRule;
import org.longspark.kernels.nvfp4.Nvfp4Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Java codec's single-thread throughput on a 1024x1024 float32 matrix (4 MiB of input, which
 * is what GB/s counts), of {@code quantize} and of the fused {@code quantizeDequantize}:
 * {@code mvn -pl kernels test-compile exec:exec@codec-jmh}. Divide 4 MiB by the reported time per
 * operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--add-modules=jdk.incubator.vector"})
@Threads(1)
public class Nvfp4CodecBench {
  static final int ROWS = 1024;
  static final int COLS = 1024;

  /** default = ROW_1x16, nearest-even, static-6, no Hadamard (the bar's configuration). */
  @Param({"default", "tile", "stochastic", "fourOverSix", "hadamard"})
  public String config;

  private float[] x;
  private float[] out;
  private Nvfp4Quantizer quantizer;

  @Setup
  public void setup() {
    Random r = new Random(42);
    x = new float[ROWS * COLS];
    out = new float[ROWS * COLS];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    Nvfp4Quantizer.Builder b = Nvfp4Quantizer.builder().seed(7);
    switch (config) {
      case "default":
        break;
      case "tile":
        b.layout(Nvfp4Layout.TILE_16x16);
        break;
      case "stochastic":
        b.rounding(Nvfp4Rounding.STOCHASTIC);
        break;
      case "fourOverSix":
        b.scaleRule(Nvfp4ScaleRule.FOUR_OVER_SIX);
        break;
      case "hadamard":
        b.hadamard(true);
        break;
      default:
        throw new IllegalArgumentException("unknown config " + config);
    }
    quantizer = b.build();
  }

  @Benchmark
  public Nvfp4Tensor quantize() {
    return quantizer.quantize(x, ROWS, COLS);
  }

  /** The fused fake quantization (what the CPU NVFP4 training step runs), into another array. */
  @Benchmark
  public float[] quantizeDequantize() {
    quantizer.quantizeDequantize(x, ROWS, COLS, out);
    return out;
  }
}
