package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * The output head: {@code Linear(LN(x) * (1 + scale) + shift)} with shift/scale from its own
 * modulation table plus the (unprojected) timestep embedding of each frame, to C*4 features per
 * token (one 1x2x2 patch of latent channels).
 */
public final class OutputHead {
  private final Backend be;
  private final int dim;
  private final AdaLnModulation modulation;
  private final LayerNorm norm;
  private final Linear proj;

  public OutputHead(ParamFactory f, String name, int dim, int outFeatures, double eps,
      PrecisionPolicy policy) {
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.dim = dim;
    this.modulation = new AdaLnModulation(s, "modulation", 2, 1, dim);
    this.norm = new LayerNorm(s, "norm", dim, false, eps);
    this.proj = new Linear(s, "proj", dim, outFeatures, true, policy.forLinear(s, "proj"));
  }

  /** Saved activations. */
  public record Saved(Tensor[] mod, Backend.Normalized n, Tensor m, Linear.Saved out) {
    public Tensor y() {
      return out.y();
    }
  }

  /** x [B, F*P, D], e [B, F, D]. */
  public Saved forward(Tensor x, Tensor e, long seed) {
    Tensor[] mod = modulation.forward(e);
    Backend.Normalized n = norm.forward(x);
    int b = x.dim(0);
    int f = e.dim(1);
    Tensor m = be.modulate(be.reshape(n.y(), b, f, x.dim(1) / f, dim), mod[0], mod[1]);
    return new Saved(mod, n, m, proj.forward(be.reshape(m, b, x.dim(1), dim), seed));
  }

  /** Gradients of the block-stack output x and of e. */
  public record Grads(Tensor dx, Tensor de) {}

  public Grads backward(Saved s, Tensor dy) {
    Tensor dm = proj.backward(s.out, dy, true);
    int[] ms = s.m.shape();
    Backend.ModulateGrads mg = be.modulateBackward(be.reshape(dm, ms), be.reshape(s.n.y(), ms),
        s.mod[0], s.mod[1]);
    Tensor dx = norm.backward(s.n, be.reshape(mg.dx(), ms[0], ms[1] * ms[2], dim));
    return new Grads(dx, modulation.backward(new Tensor[] {mg.dshift(), mg.dscale()}));
  }
}
