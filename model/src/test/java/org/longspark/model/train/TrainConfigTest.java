package org.longspark.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.longspark.kernels.nvfp4.Nvfp4ScaleRule;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.LinearPrecision;

class TrainConfigTest {

  @Test
  void defaultsAreLongLivesBetas() {
    TrainConfig c = TrainConfig.defaults();
    assertEquals(0.0, c.adamw().beta1());
    assertEquals(0.999, c.adamw().beta2());
    assertEquals(5.0, c.flowShift());
    assertEquals(TrainConfig.PrecisionMode.FP32, c.precision());
  }

  @Test
  void nvfp4PolicyKeepsTheListedLayersInFullPrecision() {
    TrainConfig c = TrainConfig.parse(
        "train.precision { mode = nvfp4, scale-rule = FOUR_OVER_SIX }");
    PrecisionPolicy p = c.precisionPolicy();
    ParamFactory f = ParamFactory.counting();
    LinearPrecision block = p.forLinear(f.scope("blocks.0").scope("ffn"), "up");
    assertInstanceOf(LinearPrecision.Nvfp4.class, block);
    assertEquals(Nvfp4ScaleRule.FOUR_OVER_SIX, ((LinearPrecision.Nvfp4) block).scaleRule());
    assertEquals(LinearPrecision.FULL, p.forLinear(f.scope("head"), "proj"));
    assertEquals(LinearPrecision.FULL, p.forLinear(f, "time_projection"));
    assertEquals(LinearPrecision.FULL, p.forLinear(f.scope("text_embedding"), "up"));
  }

  @Test
  void badValuesNameTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.parse("train.precision.mode = fp8"));
    assertTrue(e.getMessage().contains("train.precision.mode = fp8"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.parse("train { chunk-frames = 3, window-frames = 2 }"));
    assertTrue(e.getMessage().contains("train.window-frames = 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.parse("train.lr = fast"));
    assertTrue(e.getMessage().contains("train.lr"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.parse("train.precision.scale-rule = STATIC_4"));
    assertTrue(e.getMessage().contains("STATIC_4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.parse("train.lora { rank = 4, targets = [] }"));
    assertTrue(e.getMessage().contains("train.lora.targets"), e.getMessage());
  }
}
