package org.longspark.model.nn;

import org.longspark.model.Seeds;

import java.util.List;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.LinearPrecision;
import org.longspark.model.tensor.Tensor;

/**
 * {@code y = x W^T + b} with W [out, in]. The precision (full, or the NVFP4 training recipe) is
 * fixed at construction; the weight itself is always the FP32 master copy.
 */
public final class Linear {
  private final Backend be;
  private final Param weight;
  private final Param bias;
  private final LinearPrecision precision;
  private final long id;

  public Linear(ParamFactory f, String name, int in, int out, boolean withBias,
      LinearPrecision precision) {
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.weight = s.create("weight", ParamFactory.Init.FAN_IN_UNIFORM, out, in);
    this.bias = withBias ? s.create("bias", ParamFactory.Init.ZEROS, out) : null;
    this.precision = precision;
    this.id = Seeds.ofName(weight.name());
  }

  /** The forward; {@code stepSeed} feeds stochastic rounding, distinct per layer and step. */
  public Backend.LinearForward forward(Tensor x, long stepSeed) {
    return be.linear(x, weight.value(), bias == null ? null : bias.value(), precision,
        Seeds.derive(stepSeed, id, 0));
  }

  /** Accumulates dW and db; returns dx, or null when {@code needDx} is false. */
  public Tensor backward(Backend.LinearForward forward, Tensor dy, boolean needDx) {
    Backend.LinearGrads g = be.linearBackward(dy, forward, needDx);
    weight.accumulate(be, g.dw());
    if (bias != null) {
      bias.accumulate(be, g.db());
    }
    return g.dx();
  }

  public Param weight() {
    return weight;
  }

  public Param bias() {
    return bias;
  }

  public LinearPrecision precision() {
    return precision;
  }

  public List<Param> params() {
    return bias == null ? List.of(weight) : List.of(weight, bias);
  }
}
