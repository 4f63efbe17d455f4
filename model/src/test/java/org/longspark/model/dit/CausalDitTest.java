package org.longspark.model.dit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.longspark.model.GradCheck;
import org.longspark.model.TinyModels;
import org.longspark.model.nn.Attention;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.Tensor;
import org.longspark.model.tensor.cpu.CpuBackend;
import org.longspark.model.train.TeacherForcingMask;
import org.longspark.model.train.TeacherForcingTrainer;
import org.longspark.model.train.TrainConfig;
import org.longspark.model.train.TrainingBatch;

/** Whole-model checks: the teacher-forcing loss's gradient, and causality under the mask. */
class CausalDitTest {
  /** A model small enough that checking every parameter by finite differences takes seconds. */
  static ModelConfig micro() {
    return ModelConfig.fromConfig(ConfigFactory.parseString("""
        model { name = micro, dim = 24, ffn-dim = 32, heads = 2, layers = 2, latent-channels = 2,
          vae-stride = [4, 8, 8], freq-dim = 8, eps = 1e-6, rope-theta = 10000,
          text { encoder = builtin, dim = 8, vocab = 32, max-tokens = 4, layers = 1, heads = 1,
                 ffn-dim = 16 } }
        """));
  }

  @Test
  void teacherForcingLossGradientMatchesFiniteDifferencesForEveryParameter() {
    try (CpuBackend be = new CpuBackend(DType.FLOAT64)) {
      VideoModel model = VideoModel.build(micro(), ParamFactory.allocating(be, 3),
          PrecisionPolicy.FULL);
      GradCheck gc = new GradCheck(be, 5);
      // windowed mask with a sink: every path through the model is exercised
      TrainConfig cfg = TrainConfig.parse(
          "train { chunk-frames = 1, window-frames = 2, sink-frames = 1 }");
      TeacherForcingTrainer trainer = new TeacherForcingTrainer(be, model, cfg);
      TrainingBatch batch = TinyModels.syntheticBatch(2, 2, 4, 4, 4, 9);
      trainer.lossAndGradients(batch, 17);
      int checked = 0;
      for (Param p : model.params()) {
        gc.check(p.name(), p.value(), p.grad(), () -> trainer.loss(batch, 17), 1);
        checked++;
      }
      assertTrue(checked > 50, "checked " + checked + " parameters");
      System.out.printf("whole model: %d parameters checked, largest relative error so far %.2e%n",
          checked, GradCheck.worstRelativeError());
      System.out.println("  at " + GradCheck.worstCheck());
    }
  }

  @Test
  void aNoisyChunkDoesNotSeeLaterChunks() {
    ModelConfig mc = micro();
    int frames = 6;
    int chunk = 2;
    int h = 4;
    int w = 4;
    int perFrame = (h / 2) * (w / 2);
    TeacherForcingMask mask = new TeacherForcingMask(frames, chunk, perFrame, 0, 0);
    try (CpuBackend be = new CpuBackend()) {
      VideoModel model = VideoModel.build(mc, ParamFactory.allocating(be, 4),
          PrecisionPolicy.FULL);
      Attention.Rotary rot = model.dit().rope().tables(be, mask.slotPositions(), h / 2, w / 2);
      Tensor bias = be.maskBias(mask.table(), mask.length(), mask.length());
      TrainingBatch a = TinyModels.syntheticBatch(1, 2, frames, h, w, 1);
      float[] changed = a.latents().clone();
      // change the last chunk (frames 4, 5) of both the clean and the noisy stream
      int plane = h * w;
      for (int c = 0; c < 2; c++) {
        for (int i = (c * frames + 4) * plane; i < (c * frames + 6) * plane; i++) {
          changed[i] += 1.5f;
        }
      }
      float[] ya = run(be, model, a.latents(), frames, h, w, rot, bias);
      float[] yb = run(be, model, changed, frames, h, w, rot, bias);
      int feat = mc.patchFeatures();
      int tokens = 2 * frames * perFrame;
      for (int t = 0; t < tokens; t++) {
        int slot = t / perFrame;
        boolean laterChunk = (slot % frames) >= 4;
        float[] ra = java.util.Arrays.copyOfRange(ya, t * feat, (t + 1) * feat);
        float[] rb = java.util.Arrays.copyOfRange(yb, t * feat, (t + 1) * feat);
        if (!laterChunk) {
          // masked keys get probability exactly 0, so their values add exactly nothing
          assertArrayEquals(ra, rb, 0f, "token " + t + " (slot " + slot + ") changed");
        } else {
          assertTrue(!java.util.Arrays.equals(ra, rb), "token " + t + " of the changed chunk");
        }
      }
    }
  }

  /** Forward of [clean ; noisy] where the noisy stream is the same latents at level 0.5. */
  private static float[] run(Backend be, VideoModel model, float[] latents, int frames, int h,
      int w, Attention.Rotary rot, Tensor bias) {
    try (Backend.Step s = be.openStep()) {
      Tensor x = be.fromFloats(latents, 1, 2, frames, h, w);
      Tensor p = model.dit().patchEmbedding().patches(x);
      Tensor seq = be.concat(new Tensor[] {p, be.scale(p, 0.5)}, 1);
      float[] t = new float[2 * frames];
      java.util.Arrays.fill(t, frames, 2 * frames, 500f);
      Tensor ctx = model.text().encode(org.longspark.model.text.TextBatch.ofPrompts(
          java.util.List.of("a ball")), 0).context();
      CausalDit.Saved out = model.dit().forward(
          new CausalDit.Inputs(seq, t, 2 * frames, ctx, rot, bias), 0);
      return be.toFloats(out.y());
    }
  }
}
