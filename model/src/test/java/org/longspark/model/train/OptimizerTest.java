package org.longspark.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longspark.model.TinyModels;
import org.longspark.model.dit.ModelConfig;
import org.longspark.model.dit.VideoModel;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.cpu.CpuBackend;

/** AdamW, clipping and EMA against the formulas written out in double, and seed determinism. */
class OptimizerTest {

  @Test
  void adamwFollowsTheDecoupledUpdateWithBiasCorrection() {
    double lr = 0.1;
    double b1 = 0.9;
    double b2 = 0.99;
    double eps = 1e-8;
    double wd = 0.05;
    double[] p = {1.0, -2.0, 0.5};
    double[][] grads = {{0.3, -0.1, 2.0}, {-0.2, 0.4, 1.0}};
    try (CpuBackend be = new CpuBackend(DType.FLOAT64)) {
      ParamFactory f = ParamFactory.allocating(be, 0);
      Param param = f.create("p", ParamFactory.Init.ZEROS, 3);
      be.assign(param.value(), be.fromDoubles(p, 3));
      AdamW opt = new AdamW(be, List.of(param), new AdamW.Settings(lr, b1, b2, eps, wd));
      double[] m = new double[3];
      double[] v = new double[3];
      for (int t = 1; t <= grads.length; t++) {
        try (Backend.Step s = be.openStep()) {
          param.accumulate(be, be.fromDoubles(grads[t - 1], 3));
          opt.step();
          param.clearGrad();
        }
        for (int i = 0; i < 3; i++) {
          double g = grads[t - 1][i];
          m[i] = b1 * m[i] + (1 - b1) * g;
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          double mhat = m[i] / (1 - Math.pow(b1, t));
          double vhat = v[i] / (1 - Math.pow(b2, t));
          p[i] = p[i] - lr * wd * p[i] - lr * mhat / (Math.sqrt(vhat) + eps);
        }
        // float64 on both sides, a handful of operations: agreement to ~1e-15 relative
        assertArrayEquals(p, be.toDoubles(param.value()), 1e-13, "step " + t);
      }
    }
  }

  @Test
  void clippingScalesAllGradientsToTheGlobalNorm() {
    try (CpuBackend be = new CpuBackend(DType.FLOAT64)) {
      ParamFactory f = ParamFactory.allocating(be, 0);
      Param a = f.create("a", ParamFactory.Init.ZEROS, 2);
      Param b = f.create("b", ParamFactory.Init.ZEROS, 1);
      try (Backend.Step s = be.openStep()) {
        a.accumulate(be, be.fromDoubles(new double[] {3, 0}, 2));
        b.accumulate(be, be.fromDoubles(new double[] {4}, 1));
        double norm = GradientClipping.clip(be, f.params(), 1.0);
        assertEquals(5.0, norm, 1e-12);
        double k = 1.0 / (5.0 + 1e-6);
        assertArrayEquals(new double[] {3 * k, 0}, be.toDoubles(a.grad()), 1e-12);
        assertArrayEquals(new double[] {4 * k}, be.toDoubles(b.grad()), 1e-12);
        // under the bound: untouched
        assertEquals(1.0, GradientClipping.clip(be, f.params(), 2.0), 1e-6);
        assertArrayEquals(new double[] {4 * k}, be.toDoubles(b.grad()), 1e-12);
      }
    }
  }

  @Test
  void emaMovesTowardTheWeights() {
    try (CpuBackend be = new CpuBackend(DType.FLOAT64)) {
      ParamFactory f = ParamFactory.allocating(be, 0);
      Param p = f.create("p", ParamFactory.Init.ONES, 2);
      Ema ema = new Ema(be, f.params(), 0.9);
      be.assign(p.value(), be.fromDoubles(new double[] {2, -1}, 2));
      ema.update();
      assertArrayEquals(new double[] {0.9 + 0.2, 0.9 - 0.1}, be.toDoubles(ema.shadow(0)), 1e-12);
    }
  }

  @Test
  void sameSeedsGiveBitIdenticalTrainingAndAnotherSeedDoesNot() {
    assertEquals(losses(0), losses(0));
    assertNotEquals(losses(0), losses(1));
  }

  private static List<Double> losses(long seed) {
    ModelConfig mc = ModelConfig.preset("tiny");
    TrainConfig cfg = TrainConfig.parse("train { seed = " + seed + ", lr = 1e-3 }");
    TrainingBatch batch = TinyModels.syntheticBatch(1, mc.latentChannels(), 4, 8, 8, 3);
    List<Double> out = new ArrayList<>();
    try (CpuBackend be = new CpuBackend()) {
      VideoModel model = VideoModel.build(mc, ParamFactory.allocating(be, seed),
          cfg.precisionPolicy());
      TeacherForcingTrainer trainer = new TeacherForcingTrainer(be, model, cfg);
      for (int i = 0; i < 3; i++) {
        out.add(trainer.step(batch).loss());
      }
    }
    return out;
  }
}
