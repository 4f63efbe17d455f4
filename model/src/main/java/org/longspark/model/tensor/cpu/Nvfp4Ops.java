package org.longspark.model.tensor.cpu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.model.Seeds;

/**
 * NVFP4 quantize-then-dequantize of 2-D NDArrays through the kernels module's Java codec: the
 * dequantized values are exactly the operands a real NVFP4 GEMM multiplies (every E2M1 value times
 * an E4M3 scale times the global scale is exact in float32), so a float32 matmul of them gives the
 * products of an NVFP4 GEMM with float32 accumulation.
 *
 * <p>The codec's fake quantization runs in two passes over row ranges (Hadamard and amax, then
 * the blocks), so every job is cut into chunks of rows and the chunks of all jobs of one GEMM step
 * are shared out among the calling thread and a small daemon pool (one thread per extra core):
 * one large job no longer leaves the other cores idle. Rows are independent and the stochastic
 * rounding draws per element index, so the result does not depend on the split. Only host arrays
 * cross threads; every NDArray is created and read on the calling thread.
 */
final class Nvfp4Ops {
  private static final int HELPERS = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
  private static final ExecutorService POOL = Executors.newFixedThreadPool(HELPERS, r -> {
    Thread t = new Thread(r, "nvfp4-quantize");
    t.setDaemon(true);
    return t;
  });
  /**
   * Host arrays kept per calling thread for the next call: a step passes tens of MB through
   * here, and the JVM zeroes every new array; at most this many are kept.
   */
  private static final int SPARE_ARRAYS = 8;
  private static final ThreadLocal<ArrayDeque<float[]>> SPARE =
      ThreadLocal.withInitial(ArrayDeque::new);
  /** Whether the JVM runs with the Vector API module ({@link Nvfp4Transpose} then transposes). */
  private static final boolean VECTOR_API =
      ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  /** Elements per chunk: small enough to balance the threads, big enough to amortize a hand-off. */
  private static final int CHUNK_ELEMENTS = 1 << 15;

  private Nvfp4Ops() {}

  /** One fake quantization: a 2-D array (or its transpose) with its quantizer. */
  record Job(NDArray source, boolean transpose, Nvfp4Quantizer quantizer, String what) {}

  /** Rows [from, to) of one job's matrix. */
  private record Chunk(int job, int from, int to) {}

  /**
   * Q(a) for each job, with blocks along the last axis of a (or of a^T); the results live in the
   * sources' managers and have the backend's element type.
   */
  static NDArray[] fakeQuantize(DataType type, Job... jobs) {
    List<float[]> borrowed = new ArrayList<>();
    try {
      return fakeQuantize(type, jobs, borrowed);
    } finally {
      ArrayDeque<float[]> spare = SPARE.get();
      for (float[] a : borrowed) {
        spare.addFirst(a);
      }
      while (spare.size() > SPARE_ARRAYS) {
        spare.removeLast();
      }
    }
  }

  private static NDArray[] fakeQuantize(DataType type, Job[] jobs, List<float[]> borrowed) {
    // each distinct source is read once (dY serves two jobs); a job quantizes its own copy
    // unless it is the only reader of an untransposed source
    IdentityHashMap<NDArray, float[]> host = new IdentityHashMap<>();
    IdentityHashMap<NDArray, Integer> readers = new IdentityHashMap<>();
    for (Job job : jobs) {
      readers.merge(job.source, 1, Integer::sum);
    }
    float[][] src = new float[jobs.length][];
    float[][] data = new float[jobs.length][];
    String[] names = new String[jobs.length];
    int[] rows = new int[jobs.length];
    int[] cols = new int[jobs.length];
    List<Chunk> chunks = new ArrayList<>();
    for (int i = 0; i < jobs.length; i++) {
      Job job = jobs[i];
      long[] s = job.source.getShape().getShape();
      rows[i] = (int) s[job.transpose ? 1 : 0];
      cols[i] = (int) s[job.transpose ? 0 : 1];
      src[i] = host.computeIfAbsent(job.source, a -> hostFloats(a, borrowed));
      data[i] = !job.transpose && readers.get(job.source) == 1 ? src[i]
          : borrow(src[i].length, borrowed);
      names[i] = "NVFP4 " + job.what + " [" + rows[i] + ", " + cols[i] + "]";
      // whole 16-row groups, so that a 16x16 tile never straddles two chunks; at least one
      // chunk, so that the codec checks every shape
      int step = Math.max(16, CHUNK_ELEMENTS / Math.max(1, cols[i]) / 16 * 16);
      int r = 0;
      do {
        chunks.add(new Chunk(i, r, Math.min(rows[i], r + step)));
        r += step;
      } while (r < rows[i]);
    }
    // pass 1: the chunk's rows into the job's array (transposed where asked), Hadamard (where
    // set) and the chunk's amax; a job's amax is the max over its chunks
    float[] chunkAmax = new float[chunks.size()];
    runAll(chunks, names, (k, c) -> {
      int j = c.job;
      if (jobs[j].transpose) {
        transposeRows(src[j], cols[j], rows[j], data[j], c.from, c.to);
      } else if (data[j] != src[j]) {
        System.arraycopy(src[j], c.from * cols[j], data[j], c.from * cols[j],
            (c.to - c.from) * cols[j]);
      }
      chunkAmax[k] = jobs[j].quantizer.prepareRows(data[j], rows[j], cols[j], c.from, c.to);
    });
    float[] amax = new float[jobs.length];
    for (int k = 0; k < chunks.size(); k++) {
      amax[chunks.get(k).job] = Math.max(amax[chunks.get(k).job], chunkAmax[k]);
    }
    // pass 2: the blocks, dequantized in place
    runAll(chunks, names, (k, c) -> jobs[c.job].quantizer.quantizeDequantizeRows(
        data[c.job], rows[c.job], cols[c.job], amax[c.job], c.from, c.to));
    NDArray[] out = new NDArray[jobs.length];
    for (int i = 0; i < jobs.length; i++) {
      // an uninitialized tensor filled through a view of its memory: one copy, where
      // create(float[]) copies twice and zeroes a staging buffer
      NDArray r = jobs[i].source.getManager().create(new Shape(rows[i], cols[i]), DataType.FLOAT32);
      r.toByteBuffer(true).asFloatBuffer().put(data[i]);
      out[i] = type == DataType.FLOAT32 ? r : r.toType(type, false);
    }
    return out;
  }

  /** The elements of a 2-D array as float32, row-major; one copy straight from its memory. */
  private static float[] hostFloats(NDArray a, List<float[]> borrowed) {
    if (a.getDataType() != DataType.FLOAT32) {
      return CpuBackend.floats(a);
    }
    float[] f = borrow(Math.toIntExact(a.size()), borrowed);
    a.toByteBuffer(true).asFloatBuffer().get(f);
    return f;
  }

  /** A spare array of exactly n elements (contents undefined), or a new one; noted as borrowed. */
  private static float[] borrow(int n, List<float[]> borrowed) {
    float[] a = null;
    for (Iterator<float[]> it = SPARE.get().iterator(); it.hasNext() && a == null; ) {
      float[] candidate = it.next();
      if (candidate.length == n) {
        it.remove();
        a = candidate;
      }
    }
    a = a == null ? new float[n] : a;
    borrowed.add(a);
    return a;
  }

  /**
   * Rows [from, to) of the transpose of {@code src} (srcRows x srcCols) into {@code dst}
   * (srcCols x srcRows), on the Vector API when the JVM has it, else element by element in runs
   * of 16 source rows so that the reads stay within a few cache lines.
   */
  private static void transposeRows(float[] src, int srcRows, int srcCols, float[] dst, int from,
      int to) {
    if (VECTOR_API) {
      Nvfp4Transpose.rows(src, srcRows, srcCols, dst, from, to);
      return;
    }
    for (int c0 = 0; c0 < srcRows; c0 += 16) {
      int c1 = Math.min(srcRows, c0 + 16);
      for (int r = from; r < to; r++) {
        for (int c = c0; c < c1; c++) {
          dst[r * srcRows + c] = src[c * srcCols + r];
        }
      }
    }
  }

  /** Work on one chunk; {@code k} is its index in the chunk list. */
  private interface ChunkWork {
    void run(int k, Chunk c);
  }

  /**
   * Runs the work on every chunk, the calling thread and the pool taking chunks in turn; rethrows
   * the failure of the first failing chunk in list order (named by {@code names} of its job), so
   * errors do not depend on timing.
   */
  private static void runAll(List<Chunk> chunks, String[] names, ChunkWork work) {
    AtomicInteger next = new AtomicInteger();
    RuntimeException[] failures = new RuntimeException[chunks.size()];
    Runnable taker = () -> {
      for (int k = next.getAndIncrement(); k < chunks.size(); k = next.getAndIncrement()) {
        try {
          work.run(k, chunks.get(k));
        } catch (RuntimeException e) {
          failures[k] = e;
        }
      }
    };
    List<Future<?>> helpers = new ArrayList<>();
    for (int i = 0; i < Math.min(HELPERS, chunks.size() - 1); i++) {
      helpers.add(POOL.submit(taker));
    }
    taker.run();
    for (Future<?> f : helpers) {
      await(f);
    }
    for (int k = 0; k < failures.length; k++) {
      if (failures[k] != null) {
        throw new IllegalArgumentException(
            names[chunks.get(k).job] + ": " + failures[k].getMessage(), failures[k]);
      }
    }
  }

  private static void await(Future<?> f) {
    try {
      f.get();
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
