package org.longspark.barrier.vae;

/**
 * SP-aware chunked VAE encoding: with Balanced SP over P ranks, rank r keeps latents
 * [rF/P, (r+1)F/P) and encodes only the raw frames those depend on, plus the alignment the
 * causal encoder needs: its window starts at the last raw frame of the first warm-up latent (see
 * {@link CausalEncoderGeometry#warmupLatents}). Per rank that is (F/P + g - 1)s + 1 raw frames
 * with g = ceil((R-1)/s) warm-up latents (rank 0, at the clip's start, needs none): O(F/P + R)
 * instead of the whole clip's 1 + (F-1)s.
 */
public final class SpVaePlan {
  private final CausalEncoderGeometry geometry;
  private final int latents;
  private final int degree;

  public SpVaePlan(CausalEncoderGeometry geometry, int latentFrames, int degree) {
    if (degree < 1 || latentFrames < 1 || latentFrames % degree != 0) {
      throw new IllegalArgumentException("latent frames " + latentFrames
          + " must be a positive multiple of the SP degree " + degree);
    }
    this.geometry = geometry;
    this.latents = latentFrames;
    this.degree = degree;
  }

  public CausalEncoderGeometry geometry() {
    return geometry;
  }

  public int latentFrames() {
    return latents;
  }

  public int degree() {
    return degree;
  }

  /**
   * Rank r's encoder run: raw frames [rawFrom, rawTo) produce latents [firstLatent, keepTo), of
   * which [keepFrom, keepTo) are kept (exact) and the warm-up ones before keepFrom dropped.
   */
  public record RankWindow(int rank, int rawFrom, int rawTo, int firstLatent, int keepFrom,
      int keepTo) {
    public int rawFrames() {
      return rawTo - rawFrom;
    }

    public int warmupLatents() {
      return keepFrom - firstLatent;
    }

    public int keptLatents() {
      return keepTo - keepFrom;
    }
  }

  public RankWindow window(int rank) {
    if (rank < 0 || rank >= degree) {
      throw new IllegalArgumentException("rank " + rank + " outside SP group of " + degree);
    }
    int per = latents / degree;
    int keepFrom = rank * per;
    int keepTo = keepFrom + per;
    int first = keepFrom - geometry.warmupLatents(keepFrom);
    return new RankWindow(rank, geometry.lastFrame(first), geometry.lastFrame(keepTo - 1) + 1,
        first, keepFrom, keepTo);
  }

  /** Raw frames of the whole clip, what one rank would encode without the plan. */
  public int clipRawFrames() {
    return geometry.rawFrames(latents);
  }
}
