package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * Sinusoidal embedding of the timestep ({@code [cos(t w_i), sin(t w_i)]}, w_i = 10000^(-i/half)),
 * then Linear -> SiLU -> Linear (Wan's time embedding). Timesteps are on Wan's scale, t in [0, 1000].
 */
public final class TimestepEmbedding {
  private final Backend be;
  private final int freqDim;
  private final Linear fc1;
  private final Linear fc2;

  public TimestepEmbedding(ParamFactory f, String name, int freqDim, int dim,
      PrecisionPolicy policy) {
    if (freqDim % 2 != 0) {
      throw new IllegalArgumentException(name + ": frequency dim must be even, got " + freqDim);
    }
    ParamFactory s = f.scope(name);
    this.be = f.backend();
    this.freqDim = freqDim;
    this.fc1 = new Linear(s, "fc1", freqDim, dim, true, policy.forLinear(s, "fc1"));
    this.fc2 = new Linear(s, "fc2", dim, dim, true, policy.forLinear(s, "fc2"));
  }

  /** The sinusoidal features [n, freqDim] of n timesteps (no parameters, computed on the host). */
  public static double[] sinusoid(float[] timesteps, int freqDim) {
    int half = freqDim / 2;
    double[] out = new double[timesteps.length * freqDim];
    for (int n = 0; n < timesteps.length; n++) {
      for (int i = 0; i < half; i++) {
        double arg = timesteps[n] * Math.pow(10000, -(double) i / half);
        out[n * freqDim + i] = Math.cos(arg);
        out[n * freqDim + half + i] = Math.sin(arg);
      }
    }
    return out;
  }

  /** Saved activations. */
  public record Saved(Linear.Saved fc1, Tensor act, Linear.Saved fc2) {
    public Tensor y() {
      return fc2.y();
    }
  }

  /** Timesteps [B * F] (row-major over batch, then frame) to embeddings [B, F, D]. */
  public Saved forward(float[] timesteps, int batch, long seed) {
    Tensor freq = be.fromDoubles(sinusoid(timesteps, freqDim), batch,
        timesteps.length / batch, freqDim);
    Linear.Saved h = fc1.forward(freq, seed);
    Tensor a = be.silu(h.y());
    return new Saved(h, a, fc2.forward(a, seed));
  }

  public void backward(Saved s, Tensor dy) {
    Tensor da = fc2.backward(s.fc2, dy, true);
    fc1.backward(s.fc1, be.siluBackward(da, s.fc1.y()), false);
  }
}
