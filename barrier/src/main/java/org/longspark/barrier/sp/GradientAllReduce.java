package org.longspark.barrier.sp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.longspark.barrier.comm.ElementType;
import org.longspark.model.nn.Param;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.Tensor;

/**
 * Combines the partial gradients and losses of one step: summed over the SP group (each rank saw
 * its own tokens of the same clip), then averaged over the data-parallel replicas (each saw another
 * clip). All gradients travel in one flat buffer per group; every rank ends with bit-identical
 * values, so the replicas' parameters never drift apart.
 */
final class GradientAllReduce {
  private final ParallelGroups groups;
  private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

  GradientAllReduce(ParallelGroups groups) {
    this.groups = groups;
  }

  double allReduce(Backend be, double localLoss, List<Param> params) {
    boolean f64 = be.dtype() == DType.FLOAT64;
    ElementType type = f64 ? ElementType.FLOAT64 : ElementType.FLOAT32;
    long total = 0;
    for (Param p : params) {
      total += p.size();
    }
    int dp = groups.dpDegree();
    ByteBuffer data = buffer(Math.toIntExact(total * type.bytes()));
    for (Param p : params) {
      int n = (int) p.size();
      if (p.grad() == null) {
        // no gradient on this rank: it contributes zeros (the buffer is reused, so write them)
        for (int i = 0; i < n * type.bytes(); i++) {
          data.put((byte) 0);
        }
      } else if (f64) {
        data.asDoubleBuffer().put(be.toDoubles(p.grad()));
        data.position(data.position() + n * 8);
      } else {
        data.asFloatBuffer().put(be.toFloats(p.grad()));
        data.position(data.position() + n * 4);
      }
    }
    data.flip();
    groups.sp().allReduce(data, type);
    if (dp > 1) {
      groups.dp().allReduce(data, type);
    }
    for (Param p : params) {
      int n = (int) p.size();
      Tensor g;
      if (f64) {
        double[] v = new double[n];
        data.asDoubleBuffer().get(v);
        for (int i = 0; i < n; i++) {
          v[i] /= dp;
        }
        g = be.fromDoubles(v, p.shape());
        data.position(data.position() + n * 8);
      } else {
        float[] v = new float[n];
        data.asFloatBuffer().get(v);
        for (int i = 0; i < n; i++) {
          v[i] = (float) (v[i] / (double) dp);
        }
        g = be.fromFloats(v, p.shape());
        data.position(data.position() + n * 4);
      }
      p.clearGrad();
      p.accumulate(be, g);
    }
    // the loss separately in float64: a float32 slot among the gradients would lose digits
    ByteBuffer loss = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    loss.putDouble(0, localLoss);
    groups.sp().allReduce(loss, ElementType.FLOAT64);
    if (dp > 1) {
      groups.dp().allReduce(loss, ElementType.FLOAT64);
    }
    return loss.getDouble(0) / dp;
  }

  private ByteBuffer buffer(int bytes) {
    if (buffer.capacity() < bytes) {
      buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
    return buffer.clear().limit(bytes);
  }
}
