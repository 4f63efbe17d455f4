package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * Patch embedding: the 1x2x2 patch of C latent channels (C*4 features, see {@link Patchify}) to the
 * model width, i.e. Wan's Conv3d with kernel and stride (1, 2, 2) written as a Linear on patches.
 * Latents are data, so the backward only produces the weight gradients.
 */
public final class PatchEmbedding {
  private final Patchify patchify;
  private final Linear proj;

  public PatchEmbedding(ParamFactory f, String name, int latentChannels, int dim,
      PrecisionPolicy policy) {
    this.patchify = new Patchify(f.backend());
    this.proj = new Linear(f, name, latentChannels * 4, dim, true, policy.forLinear(f, name));
  }

  /** Latents [B, C, T, H, W] to patch tokens [B, T*(H/2)*(W/2), C*4] (no parameters). */
  public Tensor patches(Tensor latents) {
    return patchify.patchify(latents);
  }

  /** Patch tokens [B, L, C*4] to embeddings [B, L, D]. */
  public Linear.Saved forward(Tensor patches, long seed) {
    return proj.forward(patches, seed);
  }

  public void backward(Linear.Saved forward, Tensor dy) {
    proj.backward(forward, dy, false);
  }
}
