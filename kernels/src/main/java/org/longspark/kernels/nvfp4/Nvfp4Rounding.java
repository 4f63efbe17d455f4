package org.longspark.kernels.nvfp4;

/** How scaled values are rounded onto the E2M1 grid. */
public enum Nvfp4Rounding {
  /** Nearest value, ties to the even code. */
  NEAREST_EVEN,
  /**
   * Up or down with probability proportional to the distance, from counter-based Philox4x32-10
   * bits (seed, element index), so the CPU and GPU draw the same bits for the same element.
   */
  STOCHASTIC
}
