package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/** Linear -> GELU (tanh) -> Linear (a block's FFN, and Wan's text embedding MLP). */
public final class FeedForward {
  private final Backend be;
  private final Linear up;
  private final Linear down;

  public FeedForward(ParamFactory f, String name, int dim, int hidden, PrecisionPolicy policy) {
    this(f, name, dim, hidden, dim, policy);
  }

  public FeedForward(ParamFactory f, String name, int in, int hidden, int out,
      PrecisionPolicy policy) {
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.up = new Linear(s, "up", in, hidden, true, policy.forLinear(s, "up"));
    this.down = new Linear(s, "down", hidden, out, true, policy.forLinear(s, "down"));
  }

  /** Saved activations. */
  public record Saved(Linear.Saved up, Linear.Saved down) {
    public Tensor y() {
      return down.y();
    }
  }

  public Saved forward(Tensor x, long seed) {
    Linear.Saved u = up.forward(x, seed);
    Tensor a = be.gelu(u.y());
    return new Saved(u, down.forward(a, seed));
  }

  /** Returns dx, or null when {@code needDx} is false (the input is data). */
  public Tensor backward(Saved s, Tensor dy, boolean needDx) {
    Tensor da = down.backward(s.down, dy, true);
    return up.backward(s.up, be.geluBackward(da, s.up.y()), needDx);
  }
}
