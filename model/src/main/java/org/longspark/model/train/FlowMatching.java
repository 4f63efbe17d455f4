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
    return noiseFrames(x0, batch, channels, frames, 0, height, width, chunk, seed);
  }

  /**
   * The frames {@code [firstFrame, firstFrame + F_local)} of what {@link #noise} draws for the whole
   * clip of {@code clipFrames} frames, from only those frames' latents: x0 is [B, C, F_local, H, W]
   * and so are x_t and the velocity; the levels are [B, F_local]. A sequence-parallel rank noises
   * its own frames with memory for its frames only (the generator still steps over the whole clip).
   */
  public Noised noiseFrames(float[] x0, int batch, int channels, int clipFrames, int firstFrame,
      int height, int width, int chunk, long seed) {
    if (clipFrames % chunk != 0) {
      throw new IllegalArgumentException(
          "frames " + clipFrames + " not a multiple of chunk " + chunk);
    }
    int plane = height * width;
    long perFrame = (long) batch * channels * plane;
    if (perFrame == 0 || x0.length % perFrame != 0) {
      throw new IllegalArgumentException("latents of length " + x0.length + " do not fit ["
          + batch + ", " + channels + ", F, " + height + ", " + width + "]");
    }
    int frames = (int) (x0.length / perFrame);
    if (firstFrame < 0 || firstFrame + frames > clipFrames) {
      throw new IllegalArgumentException("frames [" + firstFrame + ", " + (firstFrame + frames)
          + ") outside a clip of " + clipFrames);
    }
    float[] clipLevels = new float[batch * clipFrames];
    SplittableRandom lv = new SplittableRandom(Seeds.derive(seed, LEVEL, 0));
    for (int b = 0; b < batch; b++) {
      for (int c0 = 0; c0 < clipFrames; c0 += chunk) {
        float s = (float) shifted(lv.nextDouble());
        for (int f = c0; f < c0 + chunk; f++) {
          clipLevels[b * clipFrames + f] = s;
        }
      }
    }
    float[] levels = new float[batch * frames];
    for (int b = 0; b < batch; b++) {
      System.arraycopy(clipLevels, b * clipFrames + firstFrame, levels, b * frames, frames);
    }
    float[] xt = new float[x0.length];
    float[] vel = new float[x0.length];
    SplittableRandom nz = new SplittableRandom(Seeds.derive(seed, NOISE, 0));
    // The whole clip's draws in its [B, C, F, H, W] order; frames held elsewhere are skipped.
    int i = 0;
    for (int bc = 0; bc < batch * channels; bc++) {
      int b = bc / channels;
      Seeds.skipGaussians(nz, (long) firstFrame * plane);
      for (int f = 0; f < frames; f++) {
        float s = levels[b * frames + f];
        for (int p = 0; p < plane; p++, i++) {
          float n = (float) Seeds.gaussian(nz);
          xt[i] = (1 - s) * x0[i] + s * n;
          vel[i] = n - x0[i];
        }
      }
      Seeds.skipGaussians(nz, (long) (clipFrames - firstFrame - frames) * plane);
    }
    return new Noised(xt, vel, levels);
  }
}
