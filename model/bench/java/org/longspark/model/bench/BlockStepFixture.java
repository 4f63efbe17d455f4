package org.longspark.model.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.model.TinyModels;
import org.longspark.model.dit.ModelConfig;
import org.longspark.model.dit.VideoModel;
import org.longspark.model.nn.Attention;
import org.longspark.model.nn.AutogradDitBlock;
import org.longspark.model.nn.DitBlock;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.Rope3d;
import org.longspark.model.tensor.AdamWStep;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.LinearPrecision;
import org.longspark.model.tensor.Tensor;
import org.longspark.model.tensor.cpu.CpuBackend;
import org.longspark.model.train.AdamW;
import org.longspark.model.train.TeacherForcingMask;
import org.longspark.model.train.TeacherForcingTrainer;
import org.longspark.model.train.TrainConfig;
import org.longspark.model.train.TrainingBatch;

/**
 * One training step (forward + backward + AdamW) of a DiT block of the {@code small} preset
 * (dim 256, FFN 1024, 4 heads) on the teacher-forcing sequence of an 8-frame 16x16 latent clip:
 * L = 2 x 8 frames x 64 tokens = 1024 tokens, 32 text tokens, batch 1. Ours (explicit backward
 * through {@link Backend}) against the same block in DJL NDArray ops differentiated by DJL's
 * autograd, in the same JVM on the same inputs; plus the full small-model step of ours.
 *
 * <p>NVFP4: ours runs the full recipe (quantized forward, dgrad and wgrad). Autograd cannot put
 * quantizers inside its backward, so its NVFP4 column quantizes only the forward operands (X and W,
 * straight-through) and runs dgrad/wgrad in FP32: it does less quantization work than ours.
 */
public final class BlockStepFixture implements AutoCloseable {
  static final int FRAMES = 8;
  static final int CHUNK = 2;
  static final int LATENT = 16;
  static final int TEXT_TOKENS = 32;

  private final String precision;

  private CpuBackend be;
  private DitBlock block;
  private List<Param> blockParams;
  private AdamW adamw;
  private DitBlock.Context ctx;
  private DitBlock.Context denseCtx;
  private Tensor x;
  private Tensor dy;

  private NDManager djl;
  private AutogradDitBlock oracle;
  private final List<NDArray> moments = new ArrayList<>();
  private NDArray ax;
  private NDArray ae0;
  private NDArray atext;
  private NDArray acos;
  private NDArray asin;
  private NDArray abias;
  private NDArray ady;
  private long autogradSteps;
  private AdamW.Settings settings;

  private TeacherForcingTrainer trainer;
  private TrainingBatch batch;

  /** Builds both implementations of the block on the same weights and inputs. */
  public BlockStepFixture(String precision) {
    this.precision = precision;
    ModelConfig small = ModelConfig.preset("small");
    TrainConfig train = TrainConfig.parse("train { precision.mode = " + precision.toLowerCase()
        + ", chunk-frames = " + CHUNK + " }");
    int d = small.dim();
    be = new CpuBackend();
    ParamFactory f = ParamFactory.allocating(be, 1);
    block = new DitBlock(f, "block", d, small.ffnDim(), small.heads(), small.eps(),
        train.precisionPolicy());
    blockParams = f.params();
    adamw = new AdamW(be, blockParams, train.adamw());
    settings = train.adamw();
    int perFrame = (LATENT / 2) * (LATENT / 2);
    TeacherForcingMask mask = new TeacherForcingMask(FRAMES, CHUNK, perFrame, 0, 0);
    int len = mask.length();
    Attention.Rotary rot = new Rope3d(small.headDim(), small.ropeTheta())
        .tables(be, mask.slotPositions(), LATENT / 2, LATENT / 2);
    Tensor bias = be.maskBias(mask.table(), len, len);
    float[] xs = TinyModels.gaussian(len * d, 1, 1);
    float[] e0s = TinyModels.gaussian(mask.slots() * 6 * d, 2, 0.1);
    float[] texts = TinyModels.gaussian(TEXT_TOKENS * d, 3, 1);
    float[] dys = TinyModels.gaussian(len * d, 4, 1e-3);
    x = be.fromFloats(xs, 1, len, d);
    dy = be.fromFloats(dys, 1, len, d);
    ctx = new DitBlock.Context(be.fromFloats(e0s, 1, mask.slots(), 6 * d),
        be.fromFloats(texts, 1, TEXT_TOKENS, d), rot, bias, mask.slots(), 7);
    // the same bias values as a plain tensor: attention over all keys, as autograd's
    denseCtx = new DitBlock.Context(ctx.e0(), ctx.text(), rot,
        be.fromFloats(be.toFloats(bias), len, len), mask.slots(), 7);

    djl = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    UnaryOperator<NDArray> qx = UnaryOperator.identity();
    UnaryOperator<NDArray> qw = UnaryOperator.identity();
    if (train.precisionPolicy().precision() instanceof LinearPrecision.Nvfp4 recipe) {
      qx = straightThrough(recipe.activations());
      qw = straightThrough(recipe.weights());
    }
    oracle = new AutogradDitBlock(djl, DataType.FLOAT32, be, blockParams, "block.", d,
        small.heads(), small.eps(), qx, qw);
    for (NDArray p : oracle.params().values()) {
      moments.add(djl.zeros(p.getShape()));
      moments.add(djl.zeros(p.getShape()));
    }
    ax = djl.create(xs, new Shape(1, len, d));
    ae0 = djl.create(e0s, new Shape(1, mask.slots(), 6L * d));
    atext = djl.create(texts, new Shape(1, TEXT_TOKENS, d));
    acos = djl.create(be.toFloats(rot.cos()), new Shape(len, small.headDim() / 2));
    asin = djl.create(be.toFloats(rot.sin()), new Shape(len, small.headDim() / 2));
    abias = djl.create(be.toFloats(bias), new Shape(len, len));
    ady = djl.create(dys, new Shape(1, len, d));

    VideoModel model = VideoModel.build(small, ParamFactory.allocating(be, 2),
        train.precisionPolicy());
    trainer = new TeacherForcingTrainer(be, model, train);
    batch = TinyModels.syntheticBatch(1, small.latentChannels(), FRAMES, LATENT, LATENT, 5);
  }

  /** x + stopGradient(deq(Q(x)) - x): quantized value forward, identity gradient backward. */
  private static UnaryOperator<NDArray> straightThrough(Nvfp4Quantizer q) {
    return a -> {
      long[] s = a.getShape().getShape();
      int cols = (int) s[s.length - 1];
      int rows = (int) (a.size() / cols);
      float[] deq = q.quantize(a.toFloatArray(), rows, cols).dequantize();
      NDArray d = a.getManager().create(deq, a.getShape());
      return a.add(d.sub(a).stopGradient());
    };
  }

  @Override
  public void close() {
    djl.close();
    be.close();
  }

  public void blockStepExplicit() {
    explicitStep(ctx);
  }

  /** Ours with the mask as a plain bias: every query against all keys, like autograd's. */
  public void blockStepExplicitDense() {
    explicitStep(denseCtx);
  }

  private void explicitStep(DitBlock.Context c) {
    try (Backend.Step s = be.openStep()) {
      DitBlock.Saved saved = block.forward(x, c);
      block.backward(saved, dy, c);
      adamw.step();
      blockParams.forEach(Param::clearGrad);
    }
  }

  /** Forward only, ours (for profiling the split between forward and backward). */
  public void forwardExplicit() {
    try (Backend.Step s = be.openStep()) {
      block.forward(x, ctx);
    }
  }

  /** Forward only with the graph recorded, autograd. */
  public void forwardAutograd() {
    try (NDManager step = djl.newSubManager()) {
      List<NDArray> persistent = new ArrayList<>(oracle.params().values());
      persistent.addAll(List.of(ax, ae0, atext, acos, asin, abias));
      step.tempAttachAll(persistent.toArray(new NDArray[0]));
      try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
        oracle.forward(ax, ae0, atext, acos, asin, abias, 2 * FRAMES);
      }
    }
  }

  public void blockStepAutograd() {
    try (NDManager step = djl.newSubManager()) {
      List<NDArray> persistent = new ArrayList<>(oracle.params().values());
      persistent.addAll(moments);
      persistent.addAll(List.of(ax, ae0, atext, acos, asin, abias, ady));
      step.tempAttachAll(persistent.toArray(new NDArray[0]));
      try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
        NDArray y = oracle.forward(ax, ae0, atext, acos, asin, abias, 2 * FRAMES);
        c.backward(y.mul(ady).sum());
      }
      // AdamW with the same settings as ours, grad mode off, then zero the gradients
      AdamW.Settings a = settings;
      AdamWStep h = new AdamWStep(a.lr(), a.beta1(), a.beta2(), a.eps(), a.weightDecay(),
          ++autogradSteps);
      int i = 0;
      for (NDArray p : oracle.params().values()) {
        NDArray g = p.getGradient();
        NDArray m = moments.get(i++);
        NDArray v = moments.get(i++);
        m.muli(h.beta1()).addi(g.mul(1 - h.beta1()));
        v.muli(h.beta2()).addi(g.square().mul(1 - h.beta2()));
        NDArray update = m.div(v.div(h.biasCorrection2()).sqrt().add(h.eps()))
            .mul(h.lr() / h.biasCorrection1());
        p.muli(1 - h.lr() * h.weightDecay()).subi(update);
        g.muli(0);
      }
    }
  }

  public void modelStepExplicit() {
    trainer.step(batch);
  }
}
