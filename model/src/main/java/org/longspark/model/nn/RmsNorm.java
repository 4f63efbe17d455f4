package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/** RMSNorm over the last axis with a learned gain (Wan's query/key norm). */
public final class RmsNorm {
  private final Backend be;
  private final Param weight;
  private final double eps;

  public RmsNorm(ParamFactory f, String name, int dim, double eps) {
    this.be = f.backend();
    this.weight = f.scope(name).create("weight", ParamFactory.Init.ONES, dim);
    this.eps = eps;
  }

  public Backend.Normalized forward(Tensor x) {
    return be.rmsNorm(x, weight.value(), eps);
  }

  public Tensor backward(Backend.Normalized forward, Tensor dy) {
    Backend.NormGrads g = be.rmsNormBackward(dy, weight.value(), forward);
    weight.accumulate(be, g.dweight());
    return g.dx();
  }

  public Param weight() {
    return weight;
  }
}
