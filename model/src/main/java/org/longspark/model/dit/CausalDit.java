package org.longspark.model.dit;

import java.util.ArrayList;
import java.util.List;
import org.longspark.model.nn.Attention;
import org.longspark.model.nn.AttentionCore;
import org.longspark.model.nn.DitBlock;
import org.longspark.model.nn.FeedForward;
import org.longspark.model.nn.Linear;
import org.longspark.model.nn.OutputHead;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PatchEmbedding;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.nn.Rope3d;
import org.longspark.model.nn.TimestepEmbedding;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * The causal video DiT (Wan layout): patch embedding, text embedding MLP, timestep embedding and its
 * 6-way projection, a stack of {@link DitBlock}s under a block mask, and the output head. It works on
 * patch tokens: frames of P = (H/2)*(W/2) tokens each, every frame with its own timestep.
 */
public final class CausalDit {
  private final ModelConfig config;
  private final Backend be;
  private final PatchEmbedding patchEmbedding;
  private final FeedForward textEmbedding;
  private final TimestepEmbedding timeEmbedding;
  private final Linear timeProjection;
  private final List<DitBlock> blocks = new ArrayList<>();
  private final OutputHead head;
  private final Rope3d rope;
  private final List<Param> params;

  public CausalDit(ModelConfig c, ParamFactory f, PrecisionPolicy policy) {
    this.config = c;
    this.be = f.backend();
    int before = f.params().size();
    int d = c.dim();
    this.patchEmbedding = new PatchEmbedding(f, "patch_embedding", c.latentChannels(), d, policy);
    this.textEmbedding = new FeedForward(f, "text_embedding", c.text().dim(), d, d, policy);
    this.timeEmbedding = new TimestepEmbedding(f, "time_embedding", c.freqDim(), d, policy);
    this.timeProjection = new Linear(f, "time_projection", d, 6 * d, true,
        policy.forLinear(f, "time_projection"));
    for (int i = 0; i < c.layers(); i++) {
      blocks.add(new DitBlock(f, "blocks." + i, d, c.ffnDim(), c.heads(), c.eps(), policy));
    }
    this.head = new OutputHead(f, "head", d, c.patchFeatures(), c.eps(), policy);
    this.rope = new Rope3d(c.headDim(), c.ropeTheta());
    this.params = List.copyOf(f.params().subList(before, f.params().size()));
  }

  public ModelConfig config() {
    return config;
  }

  public List<Param> params() {
    return params;
  }

  public PatchEmbedding patchEmbedding() {
    return patchEmbedding;
  }

  public Rope3d rope() {
    return rope;
  }

  /**
   * One forward's inputs: patch tokens [B, F*P, C*4], one timestep per frame (B*F values, on Wan's
   * 0..1000 scale), the text context [B, Lt, textDim], RoPE tables and the attention mask bias
   * (null: full attention), and the core that runs self-attention. With the local core the bias is
   * [F*P, F*P]; a sequence-parallel core attends over the tokens of all ranks and takes its bias.
   */
  public record Inputs(Tensor patches, float[] frameTimesteps, int frames, Tensor context,
      Attention.Rotary rotary, Tensor maskBias, AttentionCore selfAttention) {
    /** Inputs whose self-attention runs locally. */
    public Inputs(Tensor patches, float[] frameTimesteps, int frames, Tensor context,
        Attention.Rotary rotary, Tensor maskBias) {
      this(patches, frameTimesteps, frames, context, rotary, maskBias, AttentionCore.LOCAL);
    }
  }

  /** Saved activations of a forward. */
  public record Saved(Inputs in, Linear.Saved patch, FeedForward.Saved text,
      TimestepEmbedding.Saved time, Tensor timeAct, Linear.Saved e0,
      List<DitBlock.Saved> blocks, DitBlock.Context blockContext, OutputHead.Saved head) {
    /** The predicted velocity per patch token, [B, F*P, C*4]. */
    public Tensor y() {
      return head.y();
    }
  }

  public Saved forward(Inputs in, long seed) {
    int b = in.patches().dim(0);
    if (in.frameTimesteps().length != b * in.frames()) {
      throw new IllegalArgumentException("need one timestep per frame: " + b + " x "
          + in.frames() + ", got " + in.frameTimesteps().length);
    }
    Linear.Saved x0 = patchEmbedding.forward(in.patches(), seed);
    FeedForward.Saved text = textEmbedding.forward(in.context(), seed);
    TimestepEmbedding.Saved time = timeEmbedding.forward(in.frameTimesteps(), b, seed);
    Tensor act = be.silu(time.y());
    Linear.Saved e0 = timeProjection.forward(act, seed);
    DitBlock.Context ctx = new DitBlock.Context(e0.y(), text.y(), in.rotary(), in.maskBias(),
        in.frames(), seed, in.selfAttention());
    List<DitBlock.Saved> saved = new ArrayList<>(blocks.size());
    Tensor x = x0.y();
    for (DitBlock block : blocks) {
      DitBlock.Saved s = block.forward(x, ctx);
      saved.add(s);
      x = s.y();
    }
    OutputHead.Saved h = head.forward(x, time.y(), seed);
    return new Saved(in, x0, text, time, act, e0, saved, ctx, h);
  }

  /** Accumulates every parameter's gradient; returns d context for the text conditioner. */
  public Tensor backward(Saved s, Tensor dy) {
    OutputHead.Grads hg = head.backward(s.head, dy);
    Tensor dx = hg.dx();
    Tensor de0 = null;
    Tensor dtext = null;
    for (int i = blocks.size() - 1; i >= 0; i--) {
      DitBlock.Grads g = blocks.get(i).backward(s.blocks.get(i), dx, s.blockContext);
      dx = g.dx();
      de0 = de0 == null ? g.de0() : be.add(de0, g.de0());
      dtext = dtext == null ? g.dtext() : be.add(dtext, g.dtext());
    }
    patchEmbedding.backward(s.patch, dx);
    Tensor dact = timeProjection.backward(s.e0, de0, true);
    Tensor de = be.add(hg.de(), be.siluBackward(dact, s.time.y()));
    timeEmbedding.backward(s.time, de);
    return textEmbedding.backward(s.text, dtext, true);
  }
}
