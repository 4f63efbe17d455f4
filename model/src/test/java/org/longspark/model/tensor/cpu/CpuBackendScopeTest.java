package org.longspark.model.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.longspark.model.TinyModels;
import org.longspark.model.dit.ModelConfig;
import org.longspark.model.dit.VideoModel;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;
import org.longspark.model.train.TeacherForcingTrainer;
import org.longspark.model.train.TrainConfig;
import org.longspark.model.train.TrainingBatch;

/** Step scopes free what a step created and leave persistent tensors alive. */
class CpuBackendScopeTest {

  @Test
  void stepTensorsDieWithTheStepAndPersistentOnesSurvive() {
    try (CpuBackend be = new CpuBackend()) {
      Tensor persistent = be.fromFloats(new float[] {1, 2}, 2);
      Tensor inside;
      try (Backend.Step s = be.openStep()) {
        inside = be.add(persistent, persistent);
        assertEquals(4f, be.toFloats(inside)[1]);
      }
      assertThrows(IllegalStateException.class, () -> be.toFloats(inside));
      assertEquals(2f, be.toFloats(persistent)[1]);
      assertEquals(1, be.persistentCount());
    }
  }

  @Test
  void trainingStepsDoNotGrowTheRootScope() {
    ModelConfig mc = ModelConfig.preset("tiny");
    TrainingBatch batch = TinyModels.syntheticBatch(1, mc.latentChannels(), 4, 8, 8, 3);
    try (CpuBackend be = new CpuBackend()) {
      VideoModel model = VideoModel.build(mc, ParamFactory.allocating(be, 0),
          org.longspark.model.nn.PrecisionPolicy.FULL);
      TeacherForcingTrainer trainer = new TeacherForcingTrainer(be, model,
          TrainConfig.defaults());
      trainer.step(batch); // creates the persistent layout (mask bias, RoPE tables)
      int after1 = be.persistentCount();
      int rootAfter1 = be.rootArrayCount();
      for (int i = 0; i < 3; i++) {
        trainer.step(batch);
      }
      assertEquals(after1, be.persistentCount());
      assertEquals(rootAfter1, be.rootArrayCount());
    }
  }

  @Test
  void aStepRefusesToRunUnderDjlGradMode() {
    try (CpuBackend be = new CpuBackend();
        GradientCollector c = Engine.getInstance().newGradientCollector()) {
      IllegalStateException e = assertThrows(IllegalStateException.class, be::openStep);
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("grad mode"));
    }
  }

  @Test
  void nestedStepsAreRejected() {
    try (CpuBackend be = new CpuBackend(); Backend.Step s = be.openStep()) {
      assertThrows(IllegalStateException.class, be::openStep);
    }
  }
}
