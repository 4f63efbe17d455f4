package org.longspark.model.train;

import java.util.SplittableRandom;
import org.longspark.model.Seeds;

/**
 * Rectified-flow noising for autoregressive tuning: x_t = (1 - s) x0 + s * noise with one noise
 * level s per chunk of c latent frames, s drawn uniformly and then shifted,
 * {@code s = shift * u / (1 + (shift - 1) * u)} (shift 5 pushes levels toward noise); the model
 * predicts the velocity {@code noise - x0}. Everything is drawn from the seed, on the host.
 */
public final class FlowMatching {
  /** Wan's timestep scale: timestep = 1000 * s. */
  public static final float TIMESTEP_SCALE = 1000f;
  private static final long NOISE = 1;
  private static final long LEVEL = 2;

  private final double shift;

  public FlowMatching(double shift) {
    if (!(shift > 0)) {
      throw new IllegalArgumentException("flow shift must be > 0, got " + shift);
    }
    this.shift = shift;
  }

  public double shifted(double u) {
    return shift * u / (1 + (shift - 1) * u);
  }

  /** A noised clip: x_t, the velocity target, and the level s of every (sample, frame). */
  public record Noised(float[] xt, float[] velocity, float[] frameLevels) {}

  /** x0 is [B, C, F, H, W] row-major. */
  public Noised noise(float[] x0, int batch, int channels, int frames, int height, int width,
      int chunk, long seed) {
    if (frames % chunk != 0) {
      throw new IllegalArgumentException("frames " + frames + " not a multiple of chunk " + chunk);
    }
    int plane = height * width;
    if ((long) batch * channels * frames * plane != x0.length) {
      throw new IllegalArgumentException("latents of length " + x0.length + " do not fit ["
          + batch + ", " + channels + ", " + frames + ", " + height + ", " + width + "]");
    }
    float[] levels = new float[batch * frames];
    SplittableRandom lv = new SplittableRandom(Seeds.derive(seed, LEVEL, 0));
    for (int b = 0; b < batch; b++) {
      for (int c0 = 0; c0 < frames; c0 += chunk) {
        float s = (float) shifted(lv.nextDouble());
        for (int f = c0; f < c0 + chunk; f++) {
          levels[b * frames + f] = s;
        }
      }
    }
    float[] xt = new float[x0.length];
    float[] vel = new float[x0.length];
    SplittableRandom nz = new SplittableRandom(Seeds.derive(seed, NOISE, 0));
    for (int i = 0; i < x0.length; i++) {
      int b = i / (channels * frames * plane);
      int f = (i / plane) % frames;
      float s = levels[b * frames + f];
      float n = (float) Seeds.gaussian(nz);
      xt[i] = (1 - s) * x0[i] + s * n;
      vel[i] = n - x0[i];
    }
    return new Noised(xt, vel, levels);
  }
}
