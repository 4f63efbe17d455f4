package org.longspark.barrier.vae;

/**
 * The temporal geometry of a causal video VAE encoder with Wan's layout: temporal stride s, latent
 * j ends at raw frame j*s (latent 0 is frame 0 alone, latent j >= 1 covers frames ((j-1)s, js]),
 * so F latents come from 1 + (F-1)s raw frames; latent j depends on the R raw frames ending at
 * its last one, [js - R + 1, js] (those before frame 0 are the encoder's zero padding).
 *
 * <p>A stack of causal temporal convolutions (left padding k-1, stride s_l) has this geometry with
 * s = prod s_l and R = 1 + sum_l (k_l - 1) prod_{m<l} s_m: see {@link #ofConvStack}.
 */
public record CausalEncoderGeometry(int stride, int receptiveField) {
  public CausalEncoderGeometry {
    if (stride < 1 || receptiveField < 1) {
      throw new IllegalArgumentException("stride " + stride + " and receptive field "
          + receptiveField + " must be >= 1");
    }
  }

  /** The geometry of causal temporal convolutions with these kernels and strides, in order. */
  public static CausalEncoderGeometry ofConvStack(int[] kernels, int[] strides) {
    if (kernels.length != strides.length || kernels.length == 0) {
      throw new IllegalArgumentException("need one stride per kernel, at least one layer");
    }
    int s = 1;
    int r = 1;
    for (int l = 0; l < kernels.length; l++) {
      if (kernels[l] < 1 || strides[l] < 1) {
        throw new IllegalArgumentException("layer " + l + ": kernel " + kernels[l] + ", stride "
            + strides[l] + " must be >= 1");
      }
      r += (kernels[l] - 1) * s;
      s *= strides[l];
    }
    return new CausalEncoderGeometry(s, r);
  }

  /** Raw frames of a clip of {@code latents} latent frames: 1 + (F-1)s. */
  public int rawFrames(int latents) {
    return 1 + (latents - 1) * stride;
  }

  /** The last raw frame of latent j: js. */
  public int lastFrame(int latent) {
    return latent * stride;
  }

  /** The first raw frame latent j covers: 0 for latent 0, (j-1)s + 1 after. */
  public int firstFrame(int latent) {
    return latent == 0 ? 0 : (latent - 1) * stride + 1;
  }

  /** The latent that covers raw frame t. */
  public int latentOf(int frame) {
    return frame == 0 ? 0 : (frame - 1) / stride + 1;
  }

  /** The first raw frame latent j depends on (0 when its field reaches the clip's start). */
  public int contextStart(int latent) {
    return Math.max(0, lastFrame(latent) - receptiveField + 1);
  }

  /**
   * Warm-up latents an encoder run must start before latent j for j to come out exact: a run
   * that starts at raw frame w produces latents ending at w, w+s, ..., so it starts at the last
   * frame of an earlier latent m, whose output (made from zero-padded history) is discarded along
   * with those up to j-1. m = j - ceil((R-1)/s), or 0 (the clip's own start needs no warm-up).
   */
  public int warmupLatents(int latent) {
    int needed = (receptiveField - 1 + stride - 1) / stride;
    return Math.min(latent, needed);
  }
}
