package org.longspark.model.dit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Presets load and validate; the Wan shapes count to totals computed by hand. */
class ModelPresetsTest {

  @ParameterizedTest
  @ValueSource(strings = {"tiny", "small", "wan2.1-1.3b", "wan2.2-5b"})
  void presetsLoadAndPrintTheirParameterCount(String name) {
    ModelConfig c = ModelConfig.preset(name);
    long n = VideoModel.parameterCount(c);
    System.out.printf("preset %-12s dim %4d, %2d layers, %2d heads: %,d parameters%n", name,
        c.dim(), c.layers(), c.heads(), n);
    assertTrue(n > 0);
  }

  /*
   * Wan2.1 1.3B: D = 1536, FFN 8960, 30 layers, 16 latent channels (patch 1x2x2: 64 features),
   * text 4096 (precomputed umT5), frequency dim 256.
   *   patch embedding      64*D + D                               =        99,840
   *   text embedding       4096*D + D + D*D + D                   =     8,653,824
   *   time embedding       256*D + D + D*D + D                    =     2,755,584
   *   time projection      D*6D + 6D                              =    14,164,992
   *   block                2 x attention (4 (D*D + D) + 2D norms)
   *                        + norm3 2D + FFN (D*F + F + F*D + D)
   *                        + modulation 6D                        =    46,440,704
   *   30 blocks                                                   = 1,393,221,120
   *   head                 D*64 + 64 + modulation 2D              =       101,440
   *   total                                                       = 1,418,996,800
   */
  @Test
  void wan21CountsToTheHandComputedTotal() {
    assertEquals(1_418_996_800L, VideoModel.parameterCount(ModelConfig.preset("wan2.1-1.3b")));
  }

  /*
   * Wan2.2 5B: D = 3072, FFN 14336, 30 layers, 48 latent channels (192 features), same text and
   * frequency dims; the same terms as above:
   *   patch 592,896; text embedding 22,026,240; time embedding 10,229,760;
   *   time projection 56,641,536; block 163,656,704 (x30 = 4,909,701,120); head 596,160;
   *   total 4,999,787,712.
   */
  @Test
  void wan22CountsToTheHandComputedTotal() {
    assertEquals(4_999_787_712L, VideoModel.parameterCount(ModelConfig.preset("wan2.2-5b")));
  }

  @Test
  void wanPresetsHaveTheirShapes() {
    ModelConfig w21 = ModelConfig.preset("wan2.1-1.3b");
    assertEquals(128, w21.headDim());
    assertEquals(16, w21.latentChannels());
    assertEquals(8, w21.vaeStride()[1]);
    ModelConfig w22 = ModelConfig.preset("wan2.2-5b");
    assertEquals(128, w22.headDim());
    assertEquals(48, w22.latentChannels());
    assertEquals(16, w22.vaeStride()[2]);
  }

  @Test
  void invalidConfigsNameTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelConfig.preset("nope"));
    assertTrue(e.getMessage().contains("unknown model preset 'nope'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromConfig(
        ConfigFactory.parseString("model { dim = 100, heads = 3 }")));
    assertTrue(e.getMessage().contains("model.heads = 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromConfig(
        ConfigFactory.parseString("model { dim = 64, heads = 4 }")));
    assertTrue(e.getMessage().contains("model.freq-dim"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromConfig(
        ConfigFactory.parseString("model { dim = -64, heads = 4 }")));
    assertTrue(e.getMessage().contains("model.dim = -64"), e.getMessage());
  }
}
