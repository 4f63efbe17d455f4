package org.longspark.model.train;

import java.util.List;
import org.longspark.model.dit.CausalDit;
import org.longspark.model.dit.VideoModel;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.Patchify;
import org.longspark.model.Seeds;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;
import org.longspark.model.text.TextConditioner;

/**
 * One optimizer step of autoregressive tuning with teacher forcing: noise each chunk of the clip to
 * its own level, run the DiT on [clean ; noisy] under {@link TeacherForcingMask}, take the velocity
 * MSE on the noisy tokens, backpropagate explicitly, clip by global norm, AdamW, EMA. All tensors of
 * a step live in one backend step scope.
 *
 * <p>With a {@link TrainingShard} other than {@link TrainingShard#WHOLE} the batch holds only this
 * process's frames of the clip; the sequence is [clean_local ; noisy_local], the loss is this
 * process's share of the clip's loss, and the shard combines losses and gradients of all processes
 * before clipping, so every process applies the same update.
 */
public final class TeacherForcingTrainer {
  private static final long STEP_SEED = 11;
  private static final long NOISE_SEED = 12;

  private final Backend be;
  private final VideoModel model;
  private final TrainConfig config;
  private final FlowMatching flow;
  private final List<Param> params;
  private final AdamW optimizer;
  private final Ema ema;
  private final Patchify patchify;
  private final TrainingShard shard;
  private Layout layout;

  /**
   * Creates optimizer state and EMA copies (and, with {@code train.lora.rank > 0}, the LoRA
   * adapters, freezing the rest of the model): construct outside any step.
   */
  public TeacherForcingTrainer(Backend be, VideoModel model, TrainConfig config) {
    this(be, model, config, TrainingShard.WHOLE);
  }

  /** A trainer for this process's share of each step (see {@link TrainingShard}). */
  public TeacherForcingTrainer(Backend be, VideoModel model, TrainConfig config,
      TrainingShard shard) {
    this.be = be;
    this.shard = shard;
    this.model = model;
    this.config = config;
    this.flow = new FlowMatching(config.flowShift());
    if (config.lora().enabled()) {
      model.enableLora(config.lora());
    }
    this.params = model.params().stream().filter(Param::trainable).toList();
    this.optimizer = new AdamW(be, params, config.adamw());
    this.ema = new Ema(be, params, config.emaDecay());
    this.patchify = new Patchify(be);
  }

  /** The loss and the global gradient norm (before clipping) of one step. */
  public record StepResult(long step, double loss, double gradNorm) {}

  /**
   * The local frames, the clip they belong to and its self-attention setup for one batch shape;
   * persistent, reused across steps.
   */
  private record Layout(int frames, int height, int width, int clipFrames, int firstFrame,
      TrainingShard.SelfAttention attention) {}

  private Layout layoutFor(TrainingBatch b) {
    if (layout == null || layout.frames != b.frames() || layout.height != b.height()
        || layout.width != b.width()) {
      int clipFrames = shard.clipFrames(b.frames());
      TeacherForcingMask mask = new TeacherForcingMask(clipFrames, config.chunkFrames(),
          b.tokensPerFrame(), config.windowFrames(), config.sinkFrames());
      layout = new Layout(b.frames(), b.height(), b.width(), clipFrames,
          shard.firstFrame(b.frames()),
          shard.selfAttention(be, model.dit().rope(), mask, b.height() / 2, b.width() / 2));
    }
    return layout;
  }

  /** A training step with noise drawn from the step's own seed. */
  public StepResult step(TrainingBatch batch) {
    long next = optimizer.steps() + 1;
    return step(batch, Seeds.derive(config.seed(), NOISE_SEED, next));
  }

  /** A training step with the given noise seed (a fixed seed makes a fixed regression batch). */
  public StepResult step(TrainingBatch batch, long noiseSeed) {
    Layout lay = layoutFor(batch);
    long stepSeed = Seeds.derive(config.seed(), STEP_SEED, optimizer.steps() + 1);
    try (Backend.Step scope = be.openStep()) {
      try {
        double loss = forwardBackward(batch, lay, noiseSeed, stepSeed);
        double norm = GradientClipping.clip(be, params, config.gradClip());
        optimizer.step();
        ema.update();
        return new StepResult(optimizer.steps(), loss, norm);
      } finally {
        params.forEach(Param::clearGrad);
      }
    }
  }

  /** Teacher-forcing loss without any update (evaluation; opens its own step scope). */
  public double loss(TrainingBatch batch, long noiseSeed) {
    Layout lay = layoutFor(batch);
    try (Backend.Step scope = be.openStep()) {
      Forward f = forward(batch, lay, noiseSeed, 0);
      double share = lossShare(lay);
      return shard.allReduce(be,
          be.maskedMse(f.saved.y(), f.target, f.tokenMask).value() * share, List.of());
    }
  }

  /**
   * The loss, leaving every parameter's gradient accumulated and nothing updated. The caller owns
   * the memory scope (gradient checks run it outside any step and read the gradients after).
   */
  public double lossAndGradients(TrainingBatch batch, long noiseSeed) {
    return forwardBackward(batch, layoutFor(batch), noiseSeed, 0);
  }

  private record Forward(TextConditioner.Encoded text, CausalDit.Saved saved, Tensor target,
      Tensor tokenMask) {}

  private Forward forward(TrainingBatch b, Layout lay, long noiseSeed, long stepSeed) {
    FlowMatching.Noised n = flow.noiseFrames(b.latents(), b.batch(), b.channels(),
        lay.clipFrames, lay.firstFrame, b.height(), b.width(), config.chunkFrames(), noiseSeed);
    int[] shape = {b.batch(), b.channels(), b.frames(), b.height(), b.width()};
    Tensor clean = patchify.patchify(be.fromFloats(b.latents(), shape));
    Tensor noisy = patchify.patchify(be.fromFloats(n.xt(), shape));
    Tensor velocity = patchify.patchify(be.fromFloats(n.velocity(), shape));
    Tensor patches = be.concat(new Tensor[] {clean, noisy}, 1);
    Tensor target = be.concat(new Tensor[] {be.zeros(clean.shape()), velocity}, 1);
    int slots = 2 * b.frames();
    int perFrame = b.tokensPerFrame();
    float[] timesteps = new float[b.batch() * slots];
    float[] tokenMask = new float[b.batch() * slots * perFrame];
    for (int i = 0; i < b.batch(); i++) {
      for (int s = b.frames(); s < slots; s++) {
        timesteps[i * slots + s] =
            n.frameLevels()[i * b.frames() + s - b.frames()] * FlowMatching.TIMESTEP_SCALE;
        java.util.Arrays.fill(tokenMask, (i * slots + s) * perFrame,
            (i * slots + s + 1) * perFrame, 1f);
      }
    }
    TextConditioner.Encoded text = model.text().encode(b.text(), stepSeed);
    TrainingShard.SelfAttention sa = lay.attention;
    CausalDit.Saved saved = model.dit().forward(new CausalDit.Inputs(patches, timesteps, slots,
        text.context(), sa.rotary(), sa.maskBias(), sa.core()), stepSeed);
    return new Forward(text, saved, target,
        be.fromFloats(tokenMask, b.batch(), slots * perFrame, 1));
  }

  private double forwardBackward(TrainingBatch b, Layout lay, long noiseSeed, long stepSeed) {
    Forward f = forward(b, lay, noiseSeed, stepSeed);
    Backend.Loss loss = be.maskedMse(f.saved.y(), f.target, f.tokenMask);
    double share = lossShare(lay);
    // the local loss is a mean over local noisy tokens; as a share of the clip's mean it scales
    Tensor dpred = share == 1 ? loss.dpred() : be.scale(loss.dpred(), share);
    Tensor dcontext = model.dit().backward(f.saved, dpred);
    model.text().backward(f.text, dcontext);
    return shard.allReduce(be, loss.value() * share, params);
  }

  /** This process's fraction of the clip's noisy tokens (every sample has the same frames). */
  private static double lossShare(Layout lay) {
    return (double) lay.frames / lay.clipFrames;
  }

  public Ema ema() {
    return ema;
  }

  public long steps() {
    return optimizer.steps();
  }
}
