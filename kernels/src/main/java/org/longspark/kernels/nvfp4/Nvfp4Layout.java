package org.longspark.kernels.nvfp4;

/** Which elements share one E4M3 block scale. */
public enum Nvfp4Layout {
  /** 16 consecutive elements of a row; scales stored [rows][cols/16] (activations, gradients). */
  ROW_1x16,
  /** A 16x16 tile; scales stored [rows/16][cols/16], so a matrix and its transpose share them (weights). */
  TILE_16x16
}
