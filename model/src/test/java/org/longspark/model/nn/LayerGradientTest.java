package org.longspark.model.nn;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.longspark.model.GradCheck;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.LinearPrecision;
import org.longspark.model.tensor.Tensor;
import org.longspark.model.tensor.cpu.CpuBackend;

/**
 * Every layer's explicit backward against central finite differences in float64 (see
 * {@link GradCheck} for the tolerance). The loss is L = sum(y * R) with a fixed random R, so the
 * upstream gradient is R; parameters are randomized so that no gate or scale is trivially zero.
 */
class LayerGradientTest {
  private static Backend be;
  private GradCheck gc;
  private ParamFactory f;

  @BeforeAll
  static void open() {
    be = new CpuBackend(DType.FLOAT64);
  }

  @AfterAll
  static void close() {
    System.out.printf("largest relative gradient error so far: %.2e%n",
        GradCheck.worstRelativeError());
    System.out.println("  at " + GradCheck.worstCheck());
    be.close();
  }

  private void setUp(long seed) {
    gc = new GradCheck(be, seed);
    f = ParamFactory.allocating(be, seed);
  }

  /** Checks the input gradient and every parameter gradient of y = forward(x). */
  private void checkLayer(Tensor x, Function<Tensor, Tensor> forwardY,
      Function<Tensor, Tensor> backwardFromR, Tensor r) {
    List<Param> params = f.params();
    params.forEach(Param::clearGrad);
    Tensor dx = backwardFromR.apply(r);
    if (x != null) {
      gc.check("input", x, dx, () -> be.dot(forwardY.apply(x), r), 2);
    }
    gc.checkParams(params, () -> be.dot(forwardY.apply(x), r));
  }

  /** A block-causal mask bias: token q sees token k iff k's block is not after q's. */
  private static Tensor blockCausalBias(int len, int block) {
    boolean[] allowed = new boolean[len * len];
    for (int q = 0; q < len; q++) {
      for (int k = 0; k < len; k++) {
        allowed[q * len + k] = k / block <= q / block;
      }
    }
    return be.maskBias(allowed, len, len);
  }

  @Test
  void linear() {
    setUp(1);
    Linear lin = new Linear(f, "lin", 12, 8, true, LinearPrecision.FULL);
    gc.randomize(f.params(), 0.5);
    Tensor x = gc.random(1, 2, 5, 12);
    Tensor r = gc.random(1, 2, 5, 8);
    checkLayer(x, in -> lin.forward(in, 0).y(),
        dy -> lin.backward(lin.forward(x, 0), dy, true), r);
  }

  @Test
  void rmsNorm() {
    setUp(2);
    RmsNorm norm = new RmsNorm(f, "rms", 16, 1e-6);
    gc.randomize(f.params(), 1);
    Tensor x = gc.random(1, 3, 4, 16);
    Tensor r = gc.random(1, 3, 4, 16);
    checkLayer(x, in -> norm.forward(in).y(), dy -> norm.backward(norm.forward(x), dy), r);
  }

  @Test
  void layerNormAffineAndPlain() {
    setUp(3);
    LayerNorm affine = new LayerNorm(f, "ln", 16, true, 1e-6);
    gc.randomize(f.params(), 1);
    Tensor x = gc.random(2, 3, 4, 16);
    Tensor r = gc.random(1, 3, 4, 16);
    checkLayer(x, in -> affine.forward(in).y(), dy -> affine.backward(affine.forward(x), dy), r);

    setUp(4);
    LayerNorm plain = new LayerNorm(f, "ln_plain", 16, false, 1e-6);
    checkLayer(x, in -> plain.forward(in).y(), dy -> plain.backward(plain.forward(x), dy), r);
  }

  @Test
  void modulationShiftScaleAndGate() {
    setUp(5);
    AdaLnModulation mod = new AdaLnModulation(f, "mod", 3, 3, 8);
    gc.randomize(f.params(), 0.5);
    // emb [B=2, F=3, 3*D]; x and h [B, F, P=4, D]
    Tensor emb = gc.random(0.5, 2, 3, 24);
    Tensor x = gc.random(1, 2, 3, 4, 8);
    Tensor h = gc.random(1, 2, 3, 4, 8);
    Tensor r = gc.random(1, 2, 3, 4, 8);
    Function<Tensor, Tensor> fwd = e -> {
      Tensor[] c = mod.forward(e);
      return be.gatedAdd(x, be.modulate(h, c[0], c[1]), c[2]);
    };
    Function<Tensor, Tensor> bwd = dy -> {
      Tensor[] c = mod.forward(emb);
      Tensor m = be.modulate(h, c[0], c[1]);
      Backend.GateGrads g = be.gatedAddBackward(dy, m, c[2]);
      Backend.ModulateGrads mg = be.modulateBackward(g.dh(), h, c[0], c[1]);
      return mod.backward(new Tensor[] {mg.dshift(), mg.dscale(), g.dgate()});
    };
    checkLayer(emb, fwd, bwd, r);
    // the modulated and residual inputs
    Tensor[] c = mod.forward(emb);
    Backend.ModulateGrads mg = be.modulateBackward(be.gatedAddBackward(r,
        be.modulate(h, c[0], c[1]), c[2]).dh(), h, c[0], c[1]);
    gc.check("h", h, mg.dx(), () -> be.dot(fwd.apply(emb), r), 2);
    gc.check("residual", x, r, () -> be.dot(fwd.apply(emb), r), 1);
  }

  @Test
  void headModulationBroadcastsOneEmbedding() {
    setUp(6);
    AdaLnModulation mod = new AdaLnModulation(f, "head_mod", 2, 1, 8);
    Tensor emb = gc.random(0.5, 2, 3, 8);
    Tensor h = gc.random(1, 2, 3, 4, 8);
    Tensor r = gc.random(1, 2, 3, 4, 8);
    checkLayer(emb, e -> {
      Tensor[] c = mod.forward(e);
      return be.modulate(h, c[0], c[1]);
    }, dy -> {
      Tensor[] c = mod.forward(emb);
      Backend.ModulateGrads mg = be.modulateBackward(dy, h, c[0], c[1]);
      return mod.backward(new Tensor[] {mg.dshift(), mg.dscale()});
    }, r);
  }

  @Test
  void geluAndSilu() {
    setUp(7);
    Tensor x = gc.random(2, 4, 16);
    Tensor r = gc.random(1, 4, 16);
    gc.check("gelu", x, be.geluBackward(r, x), () -> be.dot(be.gelu(x), r), 3);
    gc.check("silu", x, be.siluBackward(r, x), () -> be.dot(be.silu(x), r), 3);
  }

  @Test
  void rope3d() {
    setUp(8);
    Rope3d rope = new Rope3d(12, 10000);
    Attention.Rotary t = rope.tables(be, new int[] {0, 1, 0, 1}, 2, 3);
    Tensor x = gc.random(1, 2, 2, 24, 12);
    Tensor r = gc.random(1, 2, 2, 24, 12);
    gc.check("rope", x, be.rope(r, t.cos(), t.sin(), true),
        () -> be.dot(be.rope(x, t.cos(), t.sin(), false), r), 3);
  }

  @Test
  void selfAttentionWithRopeAndBlockMask() {
    setUp(9);
    Attention attn = new Attention(f, "attn", 24, 24, 2, 1e-6, PrecisionPolicy.FULL);
    gc.randomize(f.params(), 0.3);
    int len = 8;
    Tensor bias = blockCausalBias(len, 2);
    Attention.Rotary rot = new Rope3d(12, 10000).tables(be, new int[] {0, 1}, 2, 2);
    Tensor x = gc.random(1, 2, len, 24);
    Tensor r = gc.random(1, 2, len, 24);
    checkLayer(x, in -> attn.forward(in, in, rot, bias, 0).y(), dy -> {
      Attention.Grads g = attn.backward(attn.forward(x, x, rot, bias, 0), dy);
      return be.add(g.dxq(), g.dxkv());
    }, r);
  }

  @Test
  void crossAttention() {
    setUp(10);
    Attention attn = new Attention(f, "cross", 16, 16, 2, 1e-6, PrecisionPolicy.FULL);
    gc.randomize(f.params(), 0.3);
    Tensor x = gc.random(1, 2, 6, 16);
    Tensor text = gc.random(1, 2, 5, 16);
    Tensor r = gc.random(1, 2, 6, 16);
    checkLayer(x, in -> attn.forward(in, text, null, null, 0).y(),
        dy -> attn.backward(attn.forward(x, text, null, null, 0), dy).dxq(), r);
    Attention.Grads g = attn.backward(attn.forward(x, text, null, null, 0), r);
    gc.check("text", text, g.dxkv(),
        () -> be.dot(attn.forward(x, text, null, null, 0).y(), r), 2);
  }

  @Test
  void feedForward() {
    setUp(11);
    FeedForward ffn = new FeedForward(f, "ffn", 8, 32, PrecisionPolicy.FULL);
    gc.randomize(f.params(), 0.5);
    Tensor x = gc.random(1, 2, 3, 8);
    Tensor r = gc.random(1, 2, 3, 8);
    checkLayer(x, in -> ffn.forward(in, 0).y(), dy -> ffn.backward(ffn.forward(x, 0), dy, true),
        r);
  }

  @Test
  void ditBlock() {
    setUp(12);
    DitBlock block = new DitBlock(f, "block", 24, 48, 2, 1e-6, PrecisionPolicy.FULL);
    gc.randomize(f.params(), 0.3);
    int frames = 4;
    int perFrame = 2;
    int len = frames * perFrame;
    Attention.Rotary rot = new Rope3d(12, 10000).tables(be, new int[] {0, 1, 2, 3}, 1, 2);
    Tensor e0 = gc.random(0.3, 2, frames, 6 * 24);
    Tensor text = gc.random(1, 2, 3, 24);
    Tensor x = gc.random(1, 2, len, 24);
    Tensor r = gc.random(1, 2, len, 24);
    Function<Tensor, DitBlock.Context> ctx = e -> new DitBlock.Context(e, text, rot,
        blockCausalBias(len, 2 * perFrame), frames, 0);
    checkLayer(x, in -> block.forward(in, ctx.apply(e0)).y(),
        dy -> block.backward(block.forward(x, ctx.apply(e0)), dy, ctx.apply(e0)).dx(), r);
    DitBlock.Grads g = block.backward(block.forward(x, ctx.apply(e0)), r, ctx.apply(e0));
    gc.check("e0", e0, g.de0(), () -> be.dot(block.forward(x, ctx.apply(e0)).y(), r), 2);
    gc.check("text", text, g.dtext(), () -> be.dot(block.forward(x, ctx.apply(e0)).y(), r), 2);
  }

  @Test
  void patchEmbeddingAndUnpatchify() {
    setUp(13);
    PatchEmbedding pe = new PatchEmbedding(f, "patch", 3, 16, PrecisionPolicy.FULL);
    gc.randomize(f.params(), 0.5);
    Tensor latents = gc.random(1, 2, 3, 2, 4, 6);
    Tensor patches = pe.patches(latents);
    Tensor r = gc.random(1, 2, 2 * 2 * 3, 16);
    checkLayer(null, in -> pe.forward(patches, 0).y(), dy -> {
      pe.backward(pe.forward(patches, 0), dy);
      return null;
    }, r);
    // unpatchify is the exact inverse permutation, and so patchify's backward
    Patchify p = new Patchify(be);
    org.junit.jupiter.api.Assertions.assertArrayEquals(be.toDoubles(latents),
        be.toDoubles(p.unpatchify(patches, 2, 4, 6)));
    Tensor rp = gc.random(1, patches.shape());
    gc.check("patchify", latents, p.unpatchify(rp, 2, 4, 6),
        () -> be.dot(p.patchify(latents), rp), 2);
  }

  @Test
  void timestepEmbedding() {
    setUp(14);
    TimestepEmbedding te = new TimestepEmbedding(f, "time", 16, 8, PrecisionPolicy.FULL);
    gc.randomize(f.params(), 0.5);
    float[] t = {0f, 250f, 999f, 17f, 500f, 3f};
    Tensor r = gc.random(1, 2, 3, 8);
    checkLayer(null, in -> te.forward(t, 2, 0).y(), dy -> {
      te.backward(te.forward(t, 2, 0), dy);
      return null;
    }, r);
  }

  @Test
  void outputHead() {
    setUp(15);
    OutputHead head = new OutputHead(f, "head", 16, 12, 1e-6, PrecisionPolicy.FULL);
    gc.randomize(f.params(), 0.5);
    Tensor x = gc.random(1, 2, 6, 16);
    Tensor e = gc.random(0.5, 2, 3, 16);
    Tensor r = gc.random(1, 2, 6, 12);
    checkLayer(x, in -> head.forward(in, e, 0).y(),
        dy -> head.backward(head.forward(x, e, 0), dy).dx(), r);
    gc.check("e", e, head.backward(head.forward(x, e, 0), r).de(),
        () -> be.dot(head.forward(x, e, 0).y(), r), 2);
  }

  @Test
  void maskedMseLoss() {
    setUp(16);
    Tensor pred = gc.random(1, 2, 5, 4);
    Tensor target = gc.random(1, 2, 5, 4);
    Tensor mask = be.fromDoubles(new double[] {0, 0, 1, 1, 1, 1, 0, 1, 0, 1}, 2, 5, 1);
    gc.check("pred", pred, be.maskedMse(pred, target, mask).dpred(),
        () -> be.maskedMse(pred, target, mask).value(), 3);
  }
}
