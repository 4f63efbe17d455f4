package org.longspark.kernels.nvfp4;

/** How a block's E4M3 scale is chosen from its largest magnitude. */
public enum Nvfp4ScaleRule {
  /** Block amax maps to 6, the top of E2M1 (Transformer Engine); global bound 448 * 6. */
  STATIC_6(448f * 6f),
  /**
   * Each block tries amax -> 6 and amax -> 4 and keeps the one with the lower squared error
   * ("four over six"); the global bound is 256 * 6 so that the larger amax -> 4 scale still fits
   * E4M3.
   */
  FOUR_OVER_SIX(256f * 6f);

  private final float globalBound;

  Nvfp4ScaleRule(float globalBound) {
    this.globalBound = globalBound;
  }

  /** The value the tensor's amax is mapped to by the global encode scale. */
  public float globalBound() {
    return globalBound;
  }
}
