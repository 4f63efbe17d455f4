package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * One Wan-style DiT block on a sequence of F frames of P tokens each:
 * <pre>
 *   x += gate_msa * SelfAttn(LN(x) * (1 + scale_msa) + shift_msa)      (3D RoPE, block mask)
 *   x += CrossAttn(LN_affine(x), text)
 *   x += gate_ffn * FFN(LN(x) * (1 + scale_ffn) + shift_ffn)
 * </pre>
 * The six modulation vectors come per frame from the timestep embedding (each frame has its own
 * noise level under teacher forcing).
 */
public final class DitBlock {
  private static final int SHIFT_MSA = 0;
  private static final int SCALE_MSA = 1;
  private static final int GATE_MSA = 2;
  private static final int SHIFT_FFN = 3;
  private static final int SCALE_FFN = 4;
  private static final int GATE_FFN = 5;

  private final Backend be;
  private final int dim;
  private final AdaLnModulation modulation;
  private final LayerNorm norm1;
  private final Attention selfAttn;
  private final LayerNorm norm3;
  private final Attention crossAttn;
  private final LayerNorm norm2;
  private final FeedForward ffn;

  public DitBlock(ParamFactory f, String name, int dim, int ffnDim, int heads, double eps,
      PrecisionPolicy policy) {
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.dim = dim;
    this.modulation = new AdaLnModulation(s, "modulation", 6, 6, dim);
    this.norm1 = new LayerNorm(s, "norm1", dim, false, eps);
    this.selfAttn = new Attention(s, "self_attn", dim, dim, heads, eps, policy);
    this.norm3 = new LayerNorm(s, "norm3", dim, true, eps);
    this.crossAttn = new Attention(s, "cross_attn", dim, dim, heads, eps, policy);
    this.norm2 = new LayerNorm(s, "norm2", dim, false, eps);
    this.ffn = new FeedForward(s, "ffn", dim, ffnDim, policy);
  }

  /**
   * The inputs shared by all blocks of one forward pass; {@code selfAttention} runs the core of the
   * self-attention (local, or sequence-parallel across ranks).
   */
  public record Context(Tensor e0, Tensor text, Attention.Rotary rotary, Tensor maskBias,
      int framesInSequence, long seed, AttentionCore selfAttention) {
    /** A context whose self-attention runs locally. */
    public Context(Tensor e0, Tensor text, Attention.Rotary rotary, Tensor maskBias,
        int framesInSequence, long seed) {
      this(e0, text, rotary, maskBias, framesInSequence, seed, AttentionCore.LOCAL);
    }
  }

  /** Saved activations. */
  public record Saved(Tensor[] mod, Backend.Normalized n1, Tensor m1, Attention.Saved sa,
      Tensor x1, Backend.Normalized n3, Attention.Saved ca, Tensor x2, Backend.Normalized n2,
      Tensor m2, FeedForward.Saved ff, Tensor y) {}

  /** x [B, L, D] with L = framesInSequence * P. */
  public Saved forward(Tensor x, Context c) {
    Tensor[] mod = modulation.forward(c.e0());
    Backend.Normalized n1 = norm1.forward(x);
    Tensor m1 = be.modulate(frames(n1.y(), c), mod[SHIFT_MSA], mod[SCALE_MSA]);
    Attention.Saved sa = selfAttn.forward(tokens(m1), tokens(m1), c.rotary(), c.maskBias(),
        c.selfAttention(), c.seed());
    Tensor x1 = tokens(be.gatedAdd(frames(x, c), frames(sa.y(), c), mod[GATE_MSA]));
    Backend.Normalized n3 = norm3.forward(x1);
    Attention.Saved ca = crossAttn.forward(n3.y(), c.text(), null, null, c.seed());
    Tensor x2 = be.add(x1, ca.y());
    Backend.Normalized n2 = norm2.forward(x2);
    Tensor m2 = be.modulate(frames(n2.y(), c), mod[SHIFT_FFN], mod[SCALE_FFN]);
    FeedForward.Saved ff = ffn.forward(tokens(m2), c.seed());
    Tensor y = tokens(be.gatedAdd(frames(x2, c), frames(ff.y(), c), mod[GATE_FFN]));
    return new Saved(mod, n1, m1, sa, x1, n3, ca, x2, n2, m2, ff, y);
  }

  /** Gradients of the block input, of e0 (this block's share) and of the text embeddings. */
  public record Grads(Tensor dx, Tensor de0, Tensor dtext) {}

  public Grads backward(Saved s, Tensor dy, Context c) {
    Tensor[] dmod = new Tensor[6];
    // x3 = x2 + gate_ffn * ffn(m2)
    Backend.GateGrads g2 = be.gatedAddBackward(frames(dy, c), frames(s.ff.y(), c), s.mod[GATE_FFN]);
    dmod[GATE_FFN] = g2.dgate();
    Tensor dm2 = tokens(g2.dh());
    Tensor dn2 = ffn.backward(s.ff, dm2, true);
    Backend.ModulateGrads mg2 = be.modulateBackward(frames(dn2, c), frames(s.n2.y(), c),
        s.mod[SHIFT_FFN], s.mod[SCALE_FFN]);
    dmod[SHIFT_FFN] = mg2.dshift();
    dmod[SCALE_FFN] = mg2.dscale();
    Tensor dx2 = be.add(dy, norm2.backward(s.n2, tokens(mg2.dx())));
    // x2 = x1 + cross(n3(x1), text)
    Attention.Grads cg = crossAttn.backward(s.ca, dx2);
    Tensor dx1 = be.add(dx2, norm3.backward(s.n3, cg.dxq()));
    // x1 = x + gate_msa * self(m1)
    Backend.GateGrads g1 = be.gatedAddBackward(frames(dx1, c), frames(s.sa.y(), c),
        s.mod[GATE_MSA]);
    dmod[GATE_MSA] = g1.dgate();
    Attention.Grads sg = selfAttn.backward(s.sa, tokens(g1.dh()));
    Tensor dm1 = be.add(sg.dxq(), sg.dxkv());
    Backend.ModulateGrads mg1 = be.modulateBackward(frames(dm1, c), frames(s.n1.y(), c),
        s.mod[SHIFT_MSA], s.mod[SCALE_MSA]);
    dmod[SHIFT_MSA] = mg1.dshift();
    dmod[SCALE_MSA] = mg1.dscale();
    Tensor dx = be.add(dx1, norm1.backward(s.n1, tokens(mg1.dx())));
    return new Grads(dx, modulation.backward(dmod), cg.dxkv());
  }

  /** [B, L, D] viewed as [B, F, P, D] so that per-frame modulation broadcasts over P tokens. */
  private Tensor frames(Tensor t, Context c) {
    int b = t.dim(0);
    int f = c.framesInSequence();
    return be.reshape(t, b, f, t.dim(1) / f, dim);
  }

  private Tensor tokens(Tensor t) {
    return be.reshape(t, t.dim(0), t.dim(1) * t.dim(2), dim);
  }
}
