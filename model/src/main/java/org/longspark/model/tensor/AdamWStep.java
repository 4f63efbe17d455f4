package org.longspark.model.tensor;

/**
 * The scalars of one AdamW update (bias corrections precomputed for step {@code t}):
 * {@code p -= lr * (wd * p + mhat / (sqrt(vhat) + eps))}.
 */
public record AdamWStep(double lr, double beta1, double beta2, double eps, double weightDecay,
    long t) {
  public AdamWStep {
    if (t < 1) {
      throw new IllegalArgumentException("AdamW step t must be >= 1, got " + t);
    }
  }

  public double biasCorrection1() {
    return 1 - Math.pow(beta1, t);
  }

  public double biasCorrection2() {
    return 1 - Math.pow(beta2, t);
  }
}
