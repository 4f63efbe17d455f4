package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * The 1x2x2 patch layout over latent (T, H, W): latents [B, C, T, H, W] to tokens
 * [B, T*(H/2)*(W/2), C*4], tokens ordered frame, row, column and features ordered channel, patch
 * row, patch column (the flattening of a Conv3d kernel [D, C, 1, 2, 2]). A permutation, so each
 * direction is the other's backward.
 */
public final class Patchify {
  private final Backend be;

  public Patchify(Backend be) {
    this.be = be;
  }

  public Tensor patchify(Tensor latents) {
    int[] s = latents.shape();
    if (s.length != 5 || s[3] % 2 != 0 || s[4] % 2 != 0) {
      throw new IllegalArgumentException(
          "patchify: need [B, C, T, H, W] with even H and W, got " + latents.describe());
    }
    int b = s[0];
    int c = s[1];
    int t = s[2];
    int h = s[3] / 2;
    int w = s[4] / 2;
    Tensor r = be.reshape(latents, b, c, t, h, 2, w, 2);
    Tensor p = be.permute(r, 0, 2, 3, 5, 1, 4, 6);
    return be.reshape(p, b, t * h * w, c * 4);
  }

  /** Tokens [B, T*(H/2)*(W/2), C*4] back to latents [B, C, T, H, W]. */
  public Tensor unpatchify(Tensor tokens, int frames, int height, int width) {
    int b = tokens.dim(0);
    int c = tokens.dim(2) / 4;
    int h = height / 2;
    int w = width / 2;
    if (tokens.dim(1) != frames * h * w || tokens.dim(2) != c * 4) {
      throw new IllegalArgumentException("unpatchify: tokens " + tokens.describe()
          + " do not fit " + frames + "x" + height + "x" + width);
    }
    Tensor r = be.reshape(tokens, b, frames, h, w, c, 2, 2);
    Tensor p = be.permute(r, 0, 4, 1, 2, 5, 3, 6);
    return be.reshape(p, b, c, frames, height, width);
  }
}
