package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * The core {@code softmax(q k^T * scale + bias) v} of self-attention and its backward, on
 * head-split tensors [B, H, L, Dh]. The model calls it through this interface so that a
 * sequence-parallel runtime (module barrier) can run it across ranks without the model knowing.
 */
public interface AttentionCore {
  /** The backend's own attention over the tokens at hand. */
  AttentionCore LOCAL = new AttentionCore() {
    @Override
    public Backend.Attended forward(Backend be, Tensor q, Tensor k, Tensor v, Tensor bias,
        double scale) {
      return be.attention(q, k, v, bias, scale);
    }

    @Override
    public Backend.AttentionGrads backward(Backend be, Tensor dout, Tensor q, Tensor k, Tensor v,
        Backend.Attended forward, double scale) {
      return be.attentionBackward(dout, q, k, v, forward, scale);
    }

    @Override
    public String toString() {
      return "local attention";
    }
  };

  /** q/k/v [B, H, L, Dh] of the local tokens; the result's {@code out()} has q's shape. */
  Backend.Attended forward(Backend be, Tensor q, Tensor k, Tensor v, Tensor bias, double scale);

  /** Gradients of q, k and v (shapes as in the forward) from d out. */
  Backend.AttentionGrads backward(Backend be, Tensor dout, Tensor q, Tensor k, Tensor v,
      Backend.Attended forward, double scale);
}
