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
    int b = s[0];
    int heads = s[1];
    int local = s[2];
    int dh = s[3];
    if (heads % degree != 0) {
      throw new IllegalArgumentException("Ulysses attention: " + heads + " heads not divisible "
          + "by SP degree " + degree);
    }
    int h = heads / degree;
    Tensor[] packed = new Tensor[xs.length];
    for (int t = 0; t < xs.length; t++) {
      checkShape(xs[t], s);
      packed[t] = be.permute(be.reshape(xs[t], b, degree, h, local, dh), 1, 0, 2, 3, 4);
    }
    Tensor[] got = exchange(be, packed, new int[] {degree, b, h, local, dh}, activations);
    Tensor[] out = new Tensor[xs.length];
    for (int t = 0; t < xs.length; t++) {
      // [P(source), B, h, L/P, Dh]: the sources' tokens in rank order make the whole sequence
      out[t] = be.reshape(be.permute(got[t], 1, 2, 0, 3, 4), b, h, degree * local, dh);
    }
    return out;
  }

  /** [B, H/P, L, Dh] tensors back to [B, H, L/P, Dh]. */
  Tensor[] toSequence(Backend be, boolean activations, Tensor... ys) {
    int[] s = ys[0].shape();
    int b = s[0];
    int h = s[1];
    int len = s[2];
    int dh = s[3];
    if (len % degree != 0) {
      throw new IllegalArgumentException("Ulysses attention: sequence of " + len
          + " tokens not divisible by SP degree " + degree);
    }
    int local = len / degree;
    Tensor[] packed = new Tensor[ys.length];
    for (int t = 0; t < ys.length; t++) {
      checkShape(ys[t], s);
      packed[t] = be.permute(be.reshape(ys[t], b, h, degree, local, dh), 2, 0, 1, 3, 4);
    }
    Tensor[] got = exchange(be, packed, new int[] {degree, b, h, local, dh}, activations);
    Tensor[] out = new Tensor[ys.length];
    for (int t = 0; t < ys.length; t++) {
      // [P(source), B, h, L/P, Dh]: source i sent its heads [i h, (i+1) h) of this rank's tokens
      out[t] = be.reshape(be.permute(got[t], 1, 0, 2, 3, 4), b, degree * h, local, dh);
    }
    return out;
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
