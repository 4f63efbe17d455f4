package org.longspark.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longspark.model.TinyModels;
import org.longspark.model.dit.ModelConfig;
import org.longspark.model.dit.VideoModel;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.tensor.cpu.CpuBackend;

/**
 * The tiny preset must overfit one fixed batch (fixed latents, noise and levels) to below 10% of its
 * starting loss within a few hundred steps. The curves are written to target/learning-curves/.
 */
class LearningTest {
  static final int STEPS = 120;
  static final long NOISE_SEED = 42;

  static List<Double> overfit(String precisionHocon) throws IOException {
    TrainConfig cfg = TrainConfig.parse("train { lr = 3e-3, grad-clip = 10, weight-decay = 0, "
        + precisionHocon + " }");
    ModelConfig mc = ModelConfig.preset("tiny");
    TrainingBatch batch = TinyModels.syntheticBatch(1, mc.latentChannels(), 4, 8, 8, 7);
    List<Double> curve = new ArrayList<>();
    try (CpuBackend be = new CpuBackend()) {
      VideoModel model = VideoModel.build(mc, ParamFactory.allocating(be, 1),
          cfg.precisionPolicy());
      TeacherForcingTrainer trainer = new TeacherForcingTrainer(be, model, cfg);
      for (int i = 0; i < STEPS; i++) {
        curve.add(trainer.step(batch, NOISE_SEED).loss());
      }
    }
    return curve;
  }

  static void record(String name, List<Double> curve) throws IOException {
    Path dir = Path.of("target", "learning-curves");
    Files.createDirectories(dir);
    StringBuilder sb = new StringBuilder("step,loss\n");
    for (int i = 0; i < curve.size(); i++) {
      sb.append(i + 1).append(',').append(curve.get(i)).append('\n');
    }
    Files.writeString(dir.resolve(name + ".csv"), sb.toString());
  }

  static void assertLearns(String name, List<Double> curve) {
    double start = curve.get(0);
    double end = curve.get(curve.size() - 1);
    System.out.printf("%s: loss %.4f -> %.4f (%.1f%%) after %d steps%n", name, start, end,
        100 * end / start, curve.size());
    assertTrue(end < 0.1 * start, name + ": loss " + start + " -> " + end);
  }

  @Test
  void tinyOverfitsAFixedBatchInFp32() throws IOException {
    List<Double> curve = overfit("precision.mode = fp32");
    record("tiny-fp32", curve);
    assertLearns("fp32", curve);
  }

  @Test
  void tinyOverfitsAFixedBatchInNvfp4() throws IOException {
    List<Double> curve = overfit("precision.mode = nvfp4");
    record("tiny-nvfp4", curve);
    assertLearns("nvfp4", curve);
  }
}
