package org.longspark.model.train;

import java.util.ArrayList;
import java.util.List;
import org.longspark.model.nn.Param;
import org.longspark.model.tensor.AdamWStep;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * AdamW with decoupled weight decay over the trainable parameters of a list; the moments are
 * persistent tensors created here (outside any step). LongLive tunes with betas (0, 0.999).
 */
public final class AdamW {
  /** Hyper-parameters. */
  public record Settings(double lr, double beta1, double beta2, double eps, double weightDecay) {
    public Settings {
      if (!(lr > 0) || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(eps > 0)
          || weightDecay < 0) {
        throw new IllegalArgumentException("invalid AdamW settings " + this);
      }
    }
  }

  private final Backend be;
  private final List<Param> params;
  private final List<Tensor> m = new ArrayList<>();
  private final List<Tensor> v = new ArrayList<>();
  private final Settings settings;
  private long t;

  public AdamW(Backend be, List<Param> params, Settings settings) {
    this.be = be;
    this.params = params.stream().filter(Param::trainable).toList();
    this.settings = settings;
    for (Param p : this.params) {
      m.add(be.zeros(p.shape()));
      v.add(be.zeros(p.shape()));
    }
  }

  /** Applies one update with the gradients accumulated this step (parameters without one: skip). */
  public void step() {
    t++;
    AdamWStep h = new AdamWStep(settings.lr(), settings.beta1(), settings.beta2(), settings.eps(),
        settings.weightDecay(), t);
    for (int i = 0; i < params.size(); i++) {
      Param p = params.get(i);
      if (p.grad() != null) {
        be.adamw(p.value(), p.grad(), m.get(i), v.get(i), h);
      }
    }
  }

  public long steps() {
    return t;
  }
}
