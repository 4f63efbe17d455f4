package org.longspark.model.dit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longspark.model.TinyModels;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.tensor.cpu.CpuBackend;
import org.longspark.model.train.TeacherForcingTrainer;
import org.longspark.model.train.TrainConfig;
import org.longspark.model.train.TrainingBatch;

/** LoRA tuning of the tiny model: only adapters move, the loss falls, adapters round-trip. */
class LoraTuningTest {
  private static final String LORA = "train { lr = 3e-3, grad-clip = 10, weight-decay = 0, "
      + "lora { rank = 4, alpha = 8, targets = [self_attn, ffn] } }";

  @Test
  void onlyTheAdaptersTrainAndTheyRoundTripAlone() throws IOException {
    ModelConfig mc = ModelConfig.preset("tiny");
    TrainingBatch batch = TinyModels.syntheticBatch(1, mc.latentChannels(), 4, 8, 8, 7);
    TrainConfig cfg = TrainConfig.parse(LORA);
    byte[] saved;
    double tunedLoss;
    try (CpuBackend be = new CpuBackend()) {
      VideoModel model = VideoModel.build(mc, ParamFactory.allocating(be, 1),
          cfg.precisionPolicy());
      int baseParams = model.params().size();
      TeacherForcingTrainer trainer = new TeacherForcingTrainer(be, model, cfg);
      // 2 blocks x (4 self-attention projections + 2 FFN Linears), A and B each
      assertEquals(12, model.loraAdapters().size());
      assertEquals(baseParams + 24, model.params().size());
      List<float[]> frozen = new ArrayList<>();
      for (Param p : model.params().subList(0, baseParams)) {
        frozen.add(be.toFloats(p.value()));
      }
      double start = trainer.loss(batch, 42);
      for (int i = 0; i < 30; i++) {
        trainer.step(batch, 42);
      }
      tunedLoss = trainer.loss(batch, 42);
      System.out.printf("LoRA (rank 4, 12 adapters): loss %.4f -> %.4f after 30 steps%n", start,
          tunedLoss);
      assertTrue(tunedLoss < 0.7 * start, "loss " + start + " -> " + tunedLoss);
      for (int i = 0; i < baseParams; i++) {
        assertArrayEquals(frozen.get(i), be.toFloats(model.params().get(i).value()), 0f,
            model.params().get(i).name() + " moved");
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      model.writeLora(new DataOutputStream(bytes));
      saved = bytes.toByteArray();
    }
    try (CpuBackend be = new CpuBackend()) {
      // the same base (same seed) plus the loaded adapters gives the tuned model back
      VideoModel model = VideoModel.build(mc, ParamFactory.allocating(be, 1),
          cfg.precisionPolicy());
      TeacherForcingTrainer trainer = new TeacherForcingTrainer(be, model, cfg);
      model.readLora(new DataInputStream(new ByteArrayInputStream(saved)));
      assertEquals(tunedLoss, trainer.loss(batch, 42), 0.0);
    }
  }

  @Test
  void targetsThatMatchNothingAreAnError() {
    try (CpuBackend be = new CpuBackend()) {
      VideoModel model = VideoModel.build(ModelConfig.preset("tiny"),
          ParamFactory.allocating(be, 1), org.longspark.model.nn.PrecisionPolicy.FULL);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.enableLora(new LoraSettings(2, 4, List.of("mlp"))));
      assertTrue(e.getMessage().contains("[mlp] match no Linear"), e.getMessage());
    }
  }
}
