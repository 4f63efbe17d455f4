package org.longspark.model.tensor;

import org.longspark.kernels.nvfp4.Nvfp4Layout;
import org.longspark.kernels.nvfp4.Nvfp4Quantizer;
import org.longspark.kernels.nvfp4.Nvfp4Rounding;
import org.longspark.kernels.nvfp4.Nvfp4ScaleRule;

/** How a Linear layer's three GEMMs (forward, dgrad, wgrad) are computed. */
public sealed interface LinearPrecision permits LinearPrecision.Full, LinearPrecision.Nvfp4 {

  /** All three GEMMs in the backend's own float type. */
  record Full() implements LinearPrecision {}

  LinearPrecision FULL = new Full();

  /**
   * The NVFP4 training recipe (Transformer Engine's NVFP4BlockScaling), weights kept as FP32 masters:
   * <ul>
   *   <li>forward {@code Y = Q(X) Q(W)^T}: X in 1x16 blocks, round to nearest even; W in 16x16
   *       tiles (so W and W^T share scales and the dgrad reuses Q(W));
   *   <li>dgrad {@code dX = Q_sr(dY) Q(W)}: dY in 1x16 blocks along the output dim, stochastic
   *       rounding;
   *   <li>wgrad {@code dW = Q_sr(H dY^T) Q(H X^T)^T}: both operands in 1x16 blocks along the token
   *       dim (the reduction), after the 16x16 random Hadamard transform H along it;
   *   <li>bias gradient from the unquantized dY.
   * </ul>
   * All GEMM dimensions (tokens, in, out) must be multiples of 16.
   */
  record Nvfp4(Nvfp4ScaleRule scaleRule) implements LinearPrecision {
    public Nvfp4Quantizer activations() {
      return quantizer(Nvfp4Layout.ROW_1x16, Nvfp4Rounding.NEAREST_EVEN, false);
    }

    public Nvfp4Quantizer weights() {
      return quantizer(Nvfp4Layout.TILE_16x16, Nvfp4Rounding.NEAREST_EVEN, false);
    }

    public Nvfp4Quantizer outputGradsForDgrad() {
      return quantizer(Nvfp4Layout.ROW_1x16, Nvfp4Rounding.STOCHASTIC, false);
    }

    public Nvfp4Quantizer outputGradsForWgrad() {
      return quantizer(Nvfp4Layout.ROW_1x16, Nvfp4Rounding.STOCHASTIC, true);
    }

    public Nvfp4Quantizer activationsForWgrad() {
      return quantizer(Nvfp4Layout.ROW_1x16, Nvfp4Rounding.NEAREST_EVEN, true);
    }

    private Nvfp4Quantizer quantizer(Nvfp4Layout layout, Nvfp4Rounding rounding,
        boolean hadamard) {
      return Nvfp4Quantizer.builder().layout(layout).rounding(rounding).scaleRule(scaleRule)
          .hadamard(hadamard).build();
    }
  }
}
