package org.longspark.model.nn;

import java.util.List;
import org.longspark.model.Seeds;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.LinearPrecision;
import org.longspark.model.tensor.Tensor;

/**
 * {@code y = x W^T + b} with W [out, in], plus an optional LoRA adapter. The precision (full, or the
 * NVFP4 training recipe) is fixed at construction; the weight itself is always the FP32 master copy.
 */
public final class Linear {
  private final Backend be;
  private final String name;
  private final Param weight;
  private final Param bias;
  private final LinearPrecision precision;
  private final long id;
  private LoraAdapter lora;

  public Linear(ParamFactory f, String name, int in, int out, boolean withBias,
      LinearPrecision precision) {
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.name = f.nameOf(name);
    this.weight = s.create("weight", ParamFactory.Init.FAN_IN_UNIFORM, out, in);
    this.bias = withBias ? s.create("bias", ParamFactory.Init.ZEROS, out) : null;
    this.precision = precision;
    this.id = Seeds.ofName(weight.name());
    f.register(this);
  }

  /** Saved state of a forward: the base GEMM's and, with an adapter, the adapter's. */
  public record Saved(Backend.LinearForward base, LoraAdapter.Saved lora, Tensor y) {}

  /** The forward; {@code stepSeed} feeds stochastic rounding, distinct per layer and step. */
  public Saved forward(Tensor x, long stepSeed) {
    Backend.LinearForward base = be.linear(x, weight.value(),
        bias == null ? null : bias.value(), precision, Seeds.derive(stepSeed, id, 0));
    if (lora == null) {
      return new Saved(base, null, base.y());
    }
    LoraAdapter.Saved l = lora.forward(x, stepSeed);
    return new Saved(base, l, be.add(base.y(), l.delta()));
  }

  /** Accumulates dW and db (unless frozen) and the adapter's; returns dx, or null if !needDx. */
  public Tensor backward(Saved s, Tensor dy, boolean needDx) {
    boolean trainable = weight.trainable();
    Backend.LinearGrads g = be.linearBackward(dy, s.base, needDx, trainable);
    if (trainable) {
      weight.accumulate(be, g.dw());
      if (bias != null) {
        bias.accumulate(be, g.db());
      }
    }
    if (lora == null) {
      return g.dx();
    }
    Tensor dxLora = lora.backward(s.lora, dy, needDx);
    return needDx ? be.add(g.dx(), dxLora) : null;
  }

  /**
   * Freezes this layer's weight and bias and adds a LoRA adapter of the given rank and alpha, its
   * parameters created through {@code f} (named after this layer).
   */
  public LoraAdapter attachLora(ParamFactory f, int rank, double alpha) {
    if (lora != null) {
      throw new IllegalStateException(name + " already has a LoRA adapter");
    }
    params().forEach(p -> p.setTrainable(false));
    int[] w = weight.shape();
    lora = new LoraAdapter(f, name, w[1], w[0], rank, alpha);
    return lora;
  }

  /** The adapter, or null. */
  public LoraAdapter lora() {
    return lora;
  }

  public String name() {
    return name;
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
