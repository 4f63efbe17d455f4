package org.longspark.model.tensor.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.model.Seeds;

/**
 * NVFP4 quantize-then-dequantize of 2-D NDArrays through the kernels module's Java codec: the
 * dequantized values are exactly the operands a real NVFP4 GEMM multiplies (every E2M1 value times
 * an E4M3 scale times the global scale is exact in float32), so a float32 matmul of them gives the
 * products of an NVFP4 GEMM with float32 accumulation.
 *
 * <p>The quantizations of one GEMM step are independent, so they run concurrently: the calling
 * thread takes the first, a small daemon pool (one thread per extra core) the others. Only host
 * arrays cross threads; every NDArray is created and read on the calling thread.
 */
final class Nvfp4Ops {
  private static final ExecutorService POOL = Executors.newFixedThreadPool(
      Math.max(1, Runtime.getRuntime().availableProcessors() - 1), r -> {
        Thread t = new Thread(r, "nvfp4-quantize");
        t.setDaemon(true);
        return t;
      });

  private Nvfp4Ops() {}

  /** One fake quantization: a 2-D array (or its transpose) with its quantizer. */
  record Job(NDArray source, boolean transpose, Nvfp4Quantizer quantizer, String what) {}

  /**
   * Q(a) for each job, with blocks along the last axis of a (or of a^T); the results live in the
   * sources' managers and have the backend's element type.
   */
  static NDArray[] fakeQuantize(DataType type, Job... jobs) {
    if (jobs.length == 0) {
      return new NDArray[0];
    }
    float[][] data = new float[jobs.length][];
    int[][] dims = new int[jobs.length][];
    for (int i = 0; i < jobs.length; i++) {
      NDArray a = jobs[i].transpose ? jobs[i].source.transpose() : jobs[i].source;
      long[] s = a.getShape().getShape();
      dims[i] = new int[] {(int) s[0], (int) s[1]};
      data[i] = CpuBackend.floats(a);
    }
    List<Future<float[]>> pending = new ArrayList<>();
    for (int i = 1; i < jobs.length; i++) {
      int k = i;
      pending.add(POOL.submit(() -> dequantized(jobs[k], data[k], dims[k])));
    }
    float[][] deq = new float[jobs.length][];
    deq[0] = dequantized(jobs[0], data[0], dims[0]);
    for (int i = 1; i < jobs.length; i++) {
      deq[i] = await(pending.get(i - 1));
    }
    NDArray[] out = new NDArray[jobs.length];
    for (int i = 0; i < jobs.length; i++) {
      NDArray r = jobs[i].source.getManager().create(deq[i], new Shape(dims[i][0], dims[i][1]));
      out[i] = type == DataType.FLOAT32 ? r : r.toType(type, false);
    }
    return out;
  }

  private static float[] dequantized(Job job, float[] data, int[] dims) {
    try {
      return job.quantizer.quantize(data, dims[0], dims[1]).dequantize();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "NVFP4 " + job.what + " [" + dims[0] + ", " + dims[1] + "]: " + e.getMessage(), e);
    }
  }

  private static float[] await(Future<float[]> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while quantizing", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new CompletionException(e.getCause());
    }
  }

  /** Distinct stochastic-rounding seeds for the two quantizations of dY in one backward. */
  static long seedFor(long layerSeed, int use) {
    return Seeds.derive(layerSeed, 0x4e5646, use);
  }
}
