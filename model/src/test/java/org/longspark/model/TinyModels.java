package org.longspark.model;

import java.util.List;
import java.util.SplittableRandom;
import org.longspark.model.Seeds;
import org.longspark.model.text.TextBatch;
import org.longspark.model.train.TrainingBatch;

/** Synthetic data for model-level tests. */
public final class TinyModels {
  private TinyModels() {}

  /** n standard-normal draws times {@code std}, from the seed. */
  public static float[] gaussian(int n, long seed, double std) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (Seeds.gaussian(r) * std);
    }
    return v;
  }

  /** A fixed batch of smooth synthetic latents [B, C, F, H, W] with prompts. */
  public static TrainingBatch syntheticBatch(int batch, int channels, int frames, int height,
      int width, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x = new float[batch * channels * frames * height * width];
    int i = 0;
    for (int b = 0; b < batch; b++) {
      for (int c = 0; c < channels; c++) {
        double phase = rnd.nextDouble() * 6.28;
        for (int f = 0; f < frames; f++) {
          for (int y = 0; y < height; y++) {
            for (int z = 0; z < width; z++) {
              // a moving pattern plus a little noise: structure across frames, like real latents
              x[i++] = (float) (Math.sin(0.7 * z + 0.5 * y + 0.4 * f + phase)
                  + 0.1 * Seeds.gaussian(rnd));
            }
          }
        }
      }
    }
    List<String> prompts = List.of("a red ball rolls to the left", "waves on a grey sea",
        "a cat jumps", "city lights at night");
    return new TrainingBatch(x, batch, channels, frames, height, width,
        TextBatch.ofPrompts(prompts.subList(0, batch)));
  }
}
