package org.longspark.model.train;

import java.util.ArrayList;
import java.util.List;
import org.longspark.model.nn.Param;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/** An exponential moving average of the weights, kept as persistent copies. */
public final class Ema {
  private final Backend be;
  private final List<Param> params;
  private final List<Tensor> shadow = new ArrayList<>();
  private final double decay;

  /** Creates the shadow copies; call outside a step so that they persist. */
  public Ema(Backend be, List<Param> params, double decay) {
    if (decay < 0 || decay >= 1) {
      throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
    }
    this.be = be;
    this.params = List.copyOf(params);
    this.decay = decay;
    for (Param p : this.params) {
      Tensor copy = be.zeros(p.shape());
      be.assign(copy, p.value());
      shadow.add(copy);
    }
  }

  public void update() {
    for (int i = 0; i < params.size(); i++) {
      be.emaUpdate(shadow.get(i), params.get(i).value(), decay);
    }
  }

  /** The averaged value of the i-th parameter. */
  public Tensor shadow(int i) {
    return shadow.get(i);
  }
}
