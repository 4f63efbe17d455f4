package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * Multi-head attention with RMSNorm on queries and keys (over the full width, as in Wan), used two
 * ways: self-attention (keys from the same tokens, 3D RoPE, a block mask) and cross-attention to the
 * text embeddings (no RoPE, no mask). The attention core itself always runs in full precision; the
 * four projections follow the precision policy.
 */
public final class Attention {
  private final Backend be;
  private final int heads;
  private final Linear q;
  private final Linear k;
  private final Linear v;
  private final Linear o;
  private final RmsNorm normQ;
  private final RmsNorm normK;
  private final double scale;

  public Attention(ParamFactory f, String name, int dim, int kvDim, int heads, double eps,
      PrecisionPolicy policy) {
    if (dim % heads != 0) {
      throw new IllegalArgumentException(name + ": dim " + dim + " not divisible by heads " + heads);
    }
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.heads = heads;
    this.q = new Linear(s, "q", dim, dim, true, policy.forLinear(s, "q"));
    this.k = new Linear(s, "k", kvDim, dim, true, policy.forLinear(s, "k"));
    this.v = new Linear(s, "v", kvDim, dim, true, policy.forLinear(s, "v"));
    this.o = new Linear(s, "o", dim, dim, true, policy.forLinear(s, "o"));
    this.normQ = new RmsNorm(s, "norm_q", dim, eps);
    this.normK = new RmsNorm(s, "norm_k", dim, eps);
    this.scale = 1 / Math.sqrt((double) dim / heads);
  }

  /** RoPE tables for the query and key tokens ([L, Dh/2] each), or null for none. */
  public record Rotary(Tensor cos, Tensor sin) {}

  /** Everything the backward needs. */
  public record Saved(Linear.Saved q, Linear.Saved k, Linear.Saved v,
      Backend.Normalized qn, Backend.Normalized kn, Tensor qh, Tensor kh, Tensor vh,
      Backend.Attended att, Linear.Saved o, Rotary rotary, AttentionCore core) {
    public Tensor y() {
      return o.y();
    }
  }

  /** Gradients of the query-side and key/value-side inputs (the same tensor for self-attention). */
  public record Grads(Tensor dxq, Tensor dxkv) {}

  /**
   * xq [B, Lq, D], xkv [B, Lk, kvDim]; {@code rotary} (self-attention only, Lq == Lk) and
   * {@code maskBias} [Lq, Lk] may be null.
   */
  public Saved forward(Tensor xq, Tensor xkv, Rotary rotary, Tensor maskBias, long seed) {
    return forward(xq, xkv, rotary, maskBias, AttentionCore.LOCAL, seed);
  }

  /** As {@link #forward(Tensor, Tensor, Rotary, Tensor, long)} with the attention core given. */
  public Saved forward(Tensor xq, Tensor xkv, Rotary rotary, Tensor maskBias, AttentionCore core,
      long seed) {
    Linear.Saved qf = q.forward(xq, seed);
    Linear.Saved kf = k.forward(xkv, seed);
    Linear.Saved vf = v.forward(xkv, seed);
    Backend.Normalized qn = normQ.forward(qf.y());
    Backend.Normalized kn = normK.forward(kf.y());
    Tensor qh = be.splitHeads(qn.y(), heads);
    Tensor kh = be.splitHeads(kn.y(), heads);
    Tensor vh = be.splitHeads(vf.y(), heads);
    if (rotary != null) {
      qh = be.rope(qh, rotary.cos(), rotary.sin(), false);
      kh = be.rope(kh, rotary.cos(), rotary.sin(), false);
    }
    Backend.Attended att = core.forward(be, qh, kh, vh, maskBias, scale);
    Linear.Saved of = o.forward(be.mergeHeads(att.out()), seed);
    return new Saved(qf, kf, vf, qn, kn, qh, kh, vh, att, of, rotary, core);
  }

  public Grads backward(Saved s, Tensor dy) {
    Tensor dmerged = o.backward(s.o, dy, true);
    Backend.AttentionGrads g = s.core.backward(be, be.splitHeads(dmerged, heads), s.qh, s.kh,
        s.vh, s.att, scale);
    Tensor dqh = g.dq();
    Tensor dkh = g.dk();
    if (s.rotary != null) {
      dqh = be.rope(dqh, s.rotary.cos(), s.rotary.sin(), true);
      dkh = be.rope(dkh, s.rotary.cos(), s.rotary.sin(), true);
    }
    Tensor dq = normQ.backward(s.qn, be.mergeHeads(dqh));
    Tensor dk = normK.backward(s.kn, be.mergeHeads(dkh));
    Tensor dxq = q.backward(s.q, dq, true);
    Tensor dxkv = be.add(k.backward(s.k, dk, true), v.backward(s.v, be.mergeHeads(g.dv()), true));
    return new Grads(dxq, dxkv);
  }
}
