package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/** LayerNorm over the last axis, with or without a learned affine (weight and bias). */
public final class LayerNorm {
  private final Backend be;
  private final Param weight;
  private final Param bias;
  private final double eps;

  public LayerNorm(ParamFactory f, String name, int dim, boolean affine, double eps) {
    this.be = f.backend();
    ParamFactory s = f.scope(name);
    this.weight = affine ? s.create("weight", ParamFactory.Init.ONES, dim) : null;
    this.bias = affine ? s.create("bias", ParamFactory.Init.ZEROS, dim) : null;
    this.eps = eps;
  }

  public Backend.Normalized forward(Tensor x) {
    return be.layerNorm(x, weight == null ? null : weight.value(),
        bias == null ? null : bias.value(), eps);
  }

  public Tensor backward(Backend.Normalized forward, Tensor dy) {
    Backend.NormGrads g = be.layerNormBackward(dy, weight == null ? null : weight.value(),
        bias != null, forward);
    if (weight != null) {
      weight.accumulate(be, g.dweight());
      bias.accumulate(be, g.dbias());
    }
    return g.dx();
  }
}
