package org.longspark.barrier.sp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.longspark.barrier.comm.Communicator;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.Tensor;

/**
 * Ulysses' re-sharding between the sequence-sharded layout [B, H, L/P, Dh] (each rank: all heads
 * of its own tokens) and the head-sharded layout [B, H/P, L, Dh] (each rank: H/P heads of the
 * tokens of all ranks, in rank order), one all-to-all per call however many tensors of one shape it
 * moves. Each direction is the other's inverse, so each is the other's backward.
 *
 * <p>Data goes through host memory (the CPU backend's tensors live there anyway): the tensors are
 * permuted so that each destination's block is contiguous, copied into a direct buffer, exchanged,
 * and permuted back. The rank's own block never leaves the rank and is never compressed.
 */
final class SequenceHeadExchange {
  private final Communicator group;
  private final int degree;
  private final PayloadCompression compression;
  private ByteBuffer send = ByteBuffer.allocateDirect(0);
  private ByteBuffer recv = ByteBuffer.allocateDirect(0);
  private ExchangeStats stats = ExchangeStats.ZERO;

  SequenceHeadExchange(Communicator group, PayloadCompression compression) {
    this.group = group;
    this.degree = group.size();
    this.compression = compression;
  }

  ExchangeStats stats() {
    return stats;
  }

  /**
   * [B, H, L/P, Dh] tensors to [B, H/P, L, Dh]; {@code activations} marks forward activations,
   * which the payload compression applies to.
   */
  Tensor[] toHeads(Backend be, boolean activations, Tensor... xs) {
    int[] s = xs[0].shape();
    if (s[1] % degree != 0) {
      throw new IllegalArgumentException("Ulysses attention: " + s[1] + " heads not divisible "
          + "by SP degree " + degree);
    }
    int h = s[1] / degree;
    // destination-major [P, B, h, L/P, Dh]; what arrives is source-major, and the sources'
    // tokens in rank order make the whole sequence
    return move(be, activations, xs, new int[] {s[0], degree, h, s[2], s[3]},
        new int[] {1, 0, 2, 3, 4}, new int[] {1, 2, 0, 3, 4},
        new int[] {s[0], h, degree * s[2], s[3]});
  }

  /** [B, H/P, L, Dh] tensors back to [B, H, L/P, Dh]. */
  Tensor[] toSequence(Backend be, boolean activations, Tensor... ys) {
    int[] s = ys[0].shape();
    if (s[2] % degree != 0) {
      throw new IllegalArgumentException("Ulysses attention: sequence of " + s[2]
          + " tokens not divisible by SP degree " + degree);
    }
    int local = s[2] / degree;
    // destination-major by the ranks' token ranges; source i sends its heads [i h, (i+1) h)
    return move(be, activations, ys, new int[] {s[0], s[1], degree, local, s[3]},
        new int[] {2, 0, 1, 3, 4}, new int[] {1, 0, 2, 3, 4},
        new int[] {s[0], degree * s[1], local, s[3]});
  }

  /**
   * Views each tensor as {@code split}, permutes it to [P, B, heads, tokens, Dh] blocks by
   * destination, exchanges, permutes what arrived by {@code unpack} and reshapes to {@code out}.
   */
  private Tensor[] move(Backend be, boolean activations, Tensor[] ts, int[] split, int[] pack,
      int[] unpack, int[] out) {
    Tensor[] packed = new Tensor[ts.length];
    for (int t = 0; t < ts.length; t++) {
      checkShape(ts[t], ts[0].shape());
      packed[t] = be.permute(be.reshape(ts[t], split), pack);
    }
    Tensor[] got = exchange(be, packed, packed[0].shape(), activations);
    Tensor[] result = new Tensor[ts.length];
    for (int t = 0; t < ts.length; t++) {
      result[t] = be.reshape(be.permute(got[t], unpack), out);
    }
    return result;
  }

  private static void checkShape(Tensor t, int[] shape) {
    if (!java.util.Arrays.equals(t.shape(), shape)) {
      throw new IllegalArgumentException("Ulysses exchange: tensors of one call must share a "
          + "shape, got " + t.describe() + " and " + java.util.Arrays.toString(shape));
    }
  }

  /**
   * Sends block j (index 0 of each [P, ...] tensor) to rank j and returns, per tensor, the blocks
   * received from ranks 0..P-1 stacked the same way.
   */
  private Tensor[] exchange(Backend be, Tensor[] packed, int[] shape, boolean activations) {
    boolean f64 = be.dtype() == DType.FLOAT64;
    boolean nvfp4 = activations && compression == PayloadCompression.NVFP4;
    if (nvfp4 && (f64 || shape[4] % 16 != 0)) {
      throw new IllegalArgumentException("NVFP4 payload compression needs a float32 backend and "
          + "a head dimension divisible by 16; got " + be.dtype() + " and " + shape[4]);
    }
    int me = group.rank();
    int n = packed.length;
    int block = shape[1] * shape[2] * shape[3] * shape[4];
    int rows = block / shape[4];
    int es = f64 ? 8 : 4;
    int partBytes = nvfp4 ? Nvfp4Payload.bytes(block) : block * es;
    int message = n * partBytes;
    int[] counts = new int[degree];
    java.util.Arrays.fill(counts, message);
    counts[me] = 0;
    ByteBuffer out = buffer(true, (degree - 1) * message);
    ByteBuffer in = buffer(false, (degree - 1) * message);
    float[][] hf = new float[n][];
    double[][] hd = new double[n][];
    double err = 0;
    double signal = 0;
    for (int t = 0; t < n; t++) {
      if (f64) {
        hd[t] = be.toDoubles(packed[t]);
      } else {
        hf[t] = be.toFloats(packed[t]);
      }
    }
    for (int j = 0; j < degree; j++) {
      if (j == me) {
        continue;
      }
      for (int t = 0; t < n; t++) {
        if (nvfp4) {
          err += Nvfp4Payload.encode(hf[t], j * block, rows, shape[4], out);
          for (int i = j * block; i < (j + 1) * block; i++) {
            signal += (double) hf[t][i] * hf[t][i];
          }
        } else if (f64) {
          out.asDoubleBuffer().put(hd[t], j * block, block);
          out.position(out.position() + block * 8);
        } else {
          out.asFloatBuffer().put(hf[t], j * block, block);
          out.position(out.position() + block * 4);
        }
      }
    }
    out.flip();
    group.allToAllv(out, counts, in, counts);
    // the own block stays in place in hf/hd; the others are overwritten with what arrived
    for (int i = 0; i < degree; i++) {
      if (i == me) {
        continue;
      }
      for (int t = 0; t < n; t++) {
        if (nvfp4) {
          Nvfp4Payload.decode(in, rows, shape[4], hf[t], i * block);
        } else if (f64) {
          in.asDoubleBuffer().get(hd[t], i * block, block);
          in.position(in.position() + block * 8);
        } else {
          in.asFloatBuffer().get(hf[t], i * block, block);
          in.position(in.position() + block * 4);
        }
      }
    }
    long others = (long) (degree - 1) * n * block;
    long bytes = (long) (degree - 1) * message;
    stats = stats.plus(1, others, bytes, nvfp4 ? others : 0, nvfp4 ? bytes : 0, err, signal);
    Tensor[] result = new Tensor[n];
    for (int t = 0; t < n; t++) {
      result[t] = f64 ? be.fromDoubles(hd[t], shape) : be.fromFloats(hf[t], shape);
    }
    return result;
  }

  /** A reusable native-order direct buffer of exactly {@code bytes} remaining. */
  private ByteBuffer buffer(boolean forSend, int bytes) {
    ByteBuffer b = forSend ? send : recv;
    if (b.capacity() < bytes) {
      b = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
      if (forSend) {
        send = b;
      } else {
        recv = b;
      }
    }
    return b.clear().limit(bytes);
  }
}
