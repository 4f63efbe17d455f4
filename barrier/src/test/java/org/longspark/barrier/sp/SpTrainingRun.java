package org.longspark.barrier.sp;

import java.io.Serializable;
import java.util.List;
import org.longspark.model.TinyModels;
import org.longspark.model.dit.ModelConfig;
import org.longspark.model.dit.VideoModel;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.cpu.CpuBackend;
import org.longspark.model.train.TeacherForcingTrainer;
import org.longspark.model.train.TrainConfig;
import org.longspark.model.train.TrainingBatch;
import org.longspark.model.train.TrainingShard;

/**
 * The same training run on one rank (whole clip) or on a rank of an SP group (its frames): the
 * loss and every gradient of one step, then a few optimizer steps, then the parameters. The
 * {@code tiny} model from the same seed on every rank; clip {@code c} of a data-parallel run is the
 * synthetic batch with seed {@code CLIP_SEED + c}.
 */
final class SpTrainingRun {
  static final int CHANNELS = 4;
  static final long MODEL_SEED = 5;
  static final long CLIP_SEED = 9;
  static final long NOISE_SEED = 17;

  private SpTrainingRun() {}

  /** A run's shape and settings. */
  record Setup(int frames, int chunk, int height, int width, int window, int sink, int steps,
      DType dtype, PayloadCompression compression) implements Serializable {
    private static final long serialVersionUID = 1L;

    TrainConfig trainConfig() {
      // a larger learning rate than the default so that a few steps move the weights visibly
      return TrainConfig.parse("train { chunk-frames = " + chunk + ", window-frames = " + window
          + ", sink-frames = " + sink + ", lr = 1e-3 }");
    }

    int tokensPerFrame() {
      return (height / 2) * (width / 2);
    }

    Setup withCompression(PayloadCompression c) {
      return new Setup(frames, chunk, height, width, window, sink, steps, dtype, c);
    }
  }

  /** What one rank computed. */
  record Result(int rank, double loss, double[][] grads, double[] stepLosses, double[] gradNorms,
      double[][] params, ExchangeStats exchange) implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  static ModelConfig model() {
    return ModelConfig.preset("tiny");
  }

  static TrainingBatch clip(Setup s, int clip) {
    return TinyModels.syntheticBatch(1, CHANNELS, s.frames(), s.height(), s.width(),
        CLIP_SEED + clip);
  }

  /** The single-rank run on the whole clip. */
  static Result whole(Setup s, int clip) {
    return run(s, clip(s, clip), TrainingShard.WHOLE, -1);
  }

  /** This rank's part of the run, with P = {@code spDegree} and one clip per SP group. */
  static Result rank(Setup s, ParallelGroups groups) {
    BalancedSpLayout layout = new BalancedSpLayout(s.frames(), s.chunk(), s.tokensPerFrame(),
        model().heads(), groups.spDegree());
    TrainingBatch c = clip(s, groups.dpRank());
    TrainingBatch local = new TrainingBatch(layout.localLatents(c.latents(), 1, CHANNELS,
        s.height(), s.width(), groups.spRank()), 1, CHANNELS, layout.framesPerRank(),
        s.height(), s.width(), c.text());
    BalancedSpShard shard = new BalancedSpShard(groups, model().heads(), s.compression());
    return run(s, local, shard, groups.world().rank());
  }

  private static Result run(Setup s, TrainingBatch batch, TrainingShard shard, int rank) {
    try (CpuBackend be = new CpuBackend(s.dtype())) {
      VideoModel model = VideoModel.build(model(), ParamFactory.allocating(be, MODEL_SEED),
          PrecisionPolicy.FULL);
      TeacherForcingTrainer trainer = new TeacherForcingTrainer(be, model, s.trainConfig(), shard);
      List<Param> params = model.params();
      // outside any step, as the model's gradient checks do: the layout this first call builds
      // must outlive it (its tensors are freed when the backend closes)
      double loss = trainer.lossAndGradients(batch, NOISE_SEED);
      double[][] grads = new double[params.size()][];
      for (int i = 0; i < grads.length; i++) {
        grads[i] = be.toDoubles(params.get(i).grad());
        params.get(i).clearGrad();
      }
      double[] losses = new double[s.steps()];
      double[] norms = new double[s.steps()];
      for (int k = 0; k < s.steps(); k++) {
        TeacherForcingTrainer.StepResult r = trainer.step(batch);
        losses[k] = r.loss();
        norms[k] = r.gradNorm();
      }
      double[][] values = new double[params.size()][];
      for (int i = 0; i < values.length; i++) {
        values[i] = be.toDoubles(params.get(i).value());
      }
      ExchangeStats ex = shard instanceof BalancedSpShard b ? b.exchangeStats() : null;
      return new Result(rank, loss, grads, losses, norms, values, ex);
    }
  }
}
