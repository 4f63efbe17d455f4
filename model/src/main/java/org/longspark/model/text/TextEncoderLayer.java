package org.longspark.model.text;

import org.longspark.model.nn.Attention;
import org.longspark.model.nn.FeedForward;
import org.longspark.model.nn.LayerNorm;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/** A pre-LN transformer encoder layer: x += Attn(LN(x)); x += FFN(LN(x)); bidirectional. */
final class TextEncoderLayer {
  private final Backend be;
  private final LayerNorm norm1;
  private final Attention attn;
  private final LayerNorm norm2;
  private final FeedForward ffn;

  TextEncoderLayer(ParamFactory f, String name, int dim, int heads, int ffnDim,
      PrecisionPolicy policy) {
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.norm1 = new LayerNorm(s, "norm1", dim, true, 1e-6);
    this.attn = new Attention(s, "attn", dim, dim, heads, 1e-6, policy);
    this.norm2 = new LayerNorm(s, "norm2", dim, true, 1e-6);
    this.ffn = new FeedForward(s, "ffn", dim, ffnDim, policy);
  }

  record Saved(Backend.Normalized n1, Attention.Saved a, Tensor x1, Backend.Normalized n2,
      FeedForward.Saved f, Tensor y) {}

  Saved forward(Tensor x, long seed) {
    Backend.Normalized n1 = norm1.forward(x);
    Attention.Saved a = attn.forward(n1.y(), n1.y(), null, null, seed);
    Tensor x1 = be.add(x, a.y());
    Backend.Normalized n2 = norm2.forward(x1);
    FeedForward.Saved f = ffn.forward(n2.y(), seed);
    return new Saved(n1, a, x1, n2, f, be.add(x1, f.y()));
  }

  Tensor backward(Saved s, Tensor dy) {
    Tensor dx1 = be.add(dy, norm2.backward(s.n2, ffn.backward(s.f, dy, true)));
    Attention.Grads g = attn.backward(s.a, dx1);
    return be.add(dx1, norm1.backward(s.n1, be.add(g.dxq(), g.dxkv())));
  }
}
