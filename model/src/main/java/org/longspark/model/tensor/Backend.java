package org.longspark.model.tensor;

/**
 * The layer-level operations that training code is written against, each with an explicit backward
 * (no autograd: see shared/DESIGN.md). Operations are fused at the granularity of a layer so that a
 * CUDA backend can implement each with one or a few kernels.
 *
 * <p>Shapes: "[..., D]" means any leading dimensions. Broadcast arguments (shift, scale, gate, bias)
 * follow numpy rules against the main operand; their gradients are summed back to their own shape.
 *
 * <p>A backend instance is used by one thread. Tensors created while no step is open are persistent
 * (parameters, optimizer state); tensors created inside {@link #openStep()} are freed when it closes.
 */
public interface Backend extends AutoCloseable {

  DType dtype();

  // ---------------------------------------------------------------- tensors and scopes

  Tensor fromFloats(float[] data, int... shape);

  Tensor fromDoubles(double[] data, int... shape);

  Tensor zeros(int... shape);

  float[] toFloats(Tensor t);

  double[] toDoubles(Tensor t);

  /** Copies {@code src} into the existing tensor {@code dst} of the same shape (no new storage). */
  void assign(Tensor dst, Tensor src);

  /** Opens a scope for one training step; every tensor created until it closes is freed with it. */
  Step openStep();

  /** A per-step memory scope. */
  interface Step extends AutoCloseable {
    @Override
    void close();
  }

  @Override
  void close();

  // ---------------------------------------------------------------- layout

  Tensor reshape(Tensor t, int... shape);

  /** Permutes axes. */
  Tensor permute(Tensor t, int... axes);

  Tensor concat(Tensor[] parts, int axis);

  /** Elements {@code [from, to)} along {@code axis}. */
  Tensor slice(Tensor t, int axis, int from, int to);

  /** [B, L, H*Dh] to [B, H, L, Dh]. */
  Tensor splitHeads(Tensor x, int heads);

  /** [B, H, L, Dh] to [B, L, H*Dh]. */
  Tensor mergeHeads(Tensor x);

  // ---------------------------------------------------------------- elementwise

  Tensor add(Tensor a, Tensor b);

  /** {@code acc += x}, in place; used to accumulate gradients. */
  void addInPlace(Tensor acc, Tensor x);

  Tensor scale(Tensor t, double factor);

  /** Sums {@code t} down to {@code shape} (the backward of a broadcast). */
  Tensor sumTo(Tensor t, int... shape);

  // ---------------------------------------------------------------- linear

  /** {@code y = x W^T + b} over the last axis of x ([..., in] x [out, in] -> [..., out]). */
  LinearForward linear(Tensor x, Tensor w, Tensor bias, LinearPrecision precision, long seed);

  /**
   * Gradients of {@link #linear}: dx (null unless {@code needDx}), dW and db (null unless
   * {@code needParams}, e.g. a frozen LoRA base; db also null without bias).
   */
  LinearGrads linearBackward(Tensor dy, LinearForward forward, boolean needDx,
      boolean needParams);

  /** What {@link #linear} keeps for its backward: the output plus backend-private saved state. */
  interface LinearForward {
    Tensor y();
  }

  record LinearGrads(Tensor dx, Tensor dw, Tensor db) {}

  // ---------------------------------------------------------------- norms

  /** RMSNorm over the last axis: {@code y = x / sqrt(mean(x^2) + eps) * w}. */
  Normalized rmsNorm(Tensor x, Tensor weight, double eps);

  NormGrads rmsNormBackward(Tensor dy, Tensor weight, Normalized forward);

  /** LayerNorm over the last axis; weight and bias may be null (no affine). */
  Normalized layerNorm(Tensor x, Tensor weight, Tensor bias, double eps);

  NormGrads layerNormBackward(Tensor dy, Tensor weight, boolean hasBias, Normalized forward);

  /** Output plus what the backward needs: the normalized input and 1/sqrt(var + eps) per row. */
  record Normalized(Tensor y, Tensor xhat, Tensor rstd) {}

  record NormGrads(Tensor dx, Tensor dweight, Tensor dbias) {}

  // ---------------------------------------------------------------- modulation (adaLN)

  /** {@code x * (1 + scale) + shift}. */
  Tensor modulate(Tensor x, Tensor shift, Tensor scale);

  ModulateGrads modulateBackward(Tensor dy, Tensor x, Tensor shift, Tensor scale);

  record ModulateGrads(Tensor dx, Tensor dshift, Tensor dscale) {}

  /** {@code residual + h * gate}. */
  Tensor gatedAdd(Tensor residual, Tensor h, Tensor gate);

  /** Returns {dh, dgate}; the residual's gradient is dy itself. */
  GateGrads gatedAddBackward(Tensor dy, Tensor h, Tensor gate);

  record GateGrads(Tensor dh, Tensor dgate) {}

  // ---------------------------------------------------------------- activations

  /** GELU, tanh approximation. */
  Tensor gelu(Tensor x);

  Tensor geluBackward(Tensor dy, Tensor x);

  Tensor silu(Tensor x);

  Tensor siluBackward(Tensor dy, Tensor x);

  // ---------------------------------------------------------------- positions and attention

  /**
   * Rotary embedding on interleaved pairs: x [B, H, L, Dh], cos/sin [L, Dh/2]. With {@code inverse}
   * it rotates by the negative angle, which is also the backward (the rotation is orthogonal).
   */
  Tensor rope(Tensor x, Tensor cos, Tensor sin, boolean inverse);

  /**
   * An additive attention bias from a boolean mask (true = may attend), shape [Lq, Lk]; every row
   * must allow at least one key.
   */
  Tensor maskBias(boolean[] allowed, int lq, int lk);

  /** softmax(q k^T * scale + bias) v; q [B,H,Lq,Dh], k/v [B,H,Lk,Dh]; bias [Lq,Lk] or null. */
  Attended attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale);

  AttentionGrads attentionBackward(Tensor dout, Tensor q, Tensor k, Tensor v, Attended forward,
      double scale);

  /** The attention output plus backend-private state for the backward (the probabilities). */
  interface Attended {
    Tensor out();
  }

  record AttentionGrads(Tensor dq, Tensor dk, Tensor dv) {}

  // ---------------------------------------------------------------- embeddings

  /** Rows of {@code table} [V, D] for {@code ids}: result [ids.length, D]. */
  Tensor embeddingLookup(Tensor table, int[] ids);

  /** Gradient of the table: dy [ids.length, D] scattered (summed) into [V, D]. */
  Tensor embeddingBackward(Tensor dy, int[] ids, int vocab);

  // ---------------------------------------------------------------- loss

  /**
   * Masked mean squared error over tokens: {@code sum(m * (pred - target)^2) / (sum(m) * D)}, with
   * pred/target [B, L, D] and the token mask m [B, L, 1]. Returns the loss and d loss / d pred.
   */
  Loss maskedMse(Tensor pred, Tensor target, Tensor tokenMask);

  record Loss(double value, Tensor dpred) {}

  // ---------------------------------------------------------------- reductions and optimizer

  double sumOfSquares(Tensor t);

  /** Sum of elementwise products (tests and gradient checks). */
  double dot(Tensor a, Tensor b);

  void scaleInPlace(Tensor t, double factor);

  /** One decoupled-weight-decay Adam update of {@code param} in place, with its moments m and v. */
  void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWStep step);

  /** {@code ema = decay * ema + (1 - decay) * param}, in place. */
  void emaUpdate(Tensor ema, Tensor param, double decay);
}
