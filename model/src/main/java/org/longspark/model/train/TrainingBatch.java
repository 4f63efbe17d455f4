package org.longspark.model.train;

import org.longspark.model.text.TextBatch;

/** Clean latents [B, C, F, H, W] (row-major) of a batch of clips, with their text. */
public record TrainingBatch(float[] latents, int batch, int channels, int frames, int height,
    int width, TextBatch text) {
  public TrainingBatch {
    if ((long) batch * channels * frames * height * width != latents.length) {
      throw new IllegalArgumentException("latents of length " + latents.length + " do not fit ["
          + batch + ", " + channels + ", " + frames + ", " + height + ", " + width + "]");
    }
    if (height % 2 != 0 || width % 2 != 0) {
      throw new IllegalArgumentException(
          "latent height and width must be even (1x2x2 patches), got " + height + "x" + width);
    }
    if (text.batch() != batch) {
      throw new IllegalArgumentException(
          "text batch " + text.batch() + " differs from latent batch " + batch);
    }
  }

  public int tokensPerFrame() {
    return (height / 2) * (width / 2);
  }
}
