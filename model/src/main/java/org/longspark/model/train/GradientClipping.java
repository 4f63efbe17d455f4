package org.longspark.model.train;

import java.util.List;
import org.longspark.model.nn.Param;
import org.longspark.model.tensor.Backend;

/** Clipping by the global L2 norm of all gradients (torch.nn.utils.clip_grad_norm_). */
public final class GradientClipping {
  private GradientClipping() {}

  /** Global norm of the step's gradients. */
  public static double globalNorm(Backend be, List<Param> params) {
    double sum = 0;
    for (Param p : params) {
      if (p.grad() != null) {
        sum += be.sumOfSquares(p.grad());
      }
    }
    return Math.sqrt(sum);
  }

  /**
   * Scales all gradients by {@code maxNorm / norm} when the global norm exceeds maxNorm; returns the
   * norm before clipping. Non-finite norms are an error (the step must not be applied).
   */
  public static double clip(Backend be, List<Param> params, double maxNorm) {
    double norm = globalNorm(be, params);
    if (!Double.isFinite(norm)) {
      throw new IllegalStateException("gradient norm is " + norm);
    }
    if (norm > maxNorm) {
      double factor = maxNorm / (norm + 1e-6);
      for (Param p : params) {
        if (p.grad() != null) {
          be.scaleInPlace(p.grad(), factor);
        }
      }
    }
    return norm;
  }
}
