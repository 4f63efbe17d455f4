package org.longspark.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.longspark.model.nn.Param;
import org.longspark.model.Seeds;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.Tensor;

/**
 * Central finite differences in float64 against an explicit backward. For a scalar loss L and a
 * variable x with analytic gradient g, it compares g . v with (L(x + h v) - L(x - h v)) / 2h along
 * random directions v. The step is h = 1e-5 times the variable's RMS (1 for an all-zero variable),
 * so that it is small against the variable's own scale (an embedding table of std 0.02 feeding a
 * LayerNorm has third derivatives ~ 1/0.02^3). Then the truncation error is O(h^2 L''') ~ 1e-10
 * and the rounding error O(eps |L| / h) ~ 1e-11 relative, so a 1e-6 relative bound leaves four
 * orders of margin while any wrong term in a backward (an O(1) relative error) fails it.
 */
public final class GradCheck {
  public static final double TOLERANCE = 1e-6;
  private static final double H = 1e-5;

  private final Backend be;
  private final SplittableRandom rnd;

  public GradCheck(Backend be, long seed) {
    if (be.dtype() != DType.FLOAT64) {
      throw new IllegalArgumentException("gradient checks need a float64 backend");
    }
    this.be = be;
    this.rnd = new SplittableRandom(seed);
  }

  /** A tensor with standard-normal entries times {@code std}. */
  public Tensor random(double std, int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = Seeds.gaussian(rnd) * std;
    }
    return be.fromDoubles(v, shape);
  }

  /** Overwrites parameters with random values so that no gradient is degenerate (zero gates...). */
  public void randomize(List<Param> params, double std) {
    for (Param p : params) {
      be.assign(p.value(), random(std, p.shape()));
    }
  }

  /** Checks one variable along {@code directions} random directions. */
  public void check(String name, Tensor variable, Tensor grad, DoubleSupplier loss,
      int directions) {
    assertTrue(grad != null, name + ": no gradient");
    double[] saved = be.toDoubles(variable);
    double sq = 0;
    for (double x : saved) {
      sq += x * x;
    }
    double rms = Math.sqrt(sq / saved.length);
    double h = H * (rms > 0 ? rms : 1);
    for (int d = 0; d < directions; d++) {
      Tensor v = random(1, variable.shape());
      double analytic = be.dot(grad, v);
      be.addInPlace(variable, be.scale(v, h));
      double plus = loss.getAsDouble();
      be.addInPlace(variable, be.scale(v, -2 * h));
      double minus = loss.getAsDouble();
      be.assign(variable, be.fromDoubles(saved, variable.shape()));
      double numeric = (plus - minus) / (2 * h);
      double scale = Math.max(Math.abs(analytic), Math.abs(numeric));
      assertTrue(scale > 1e-8, name + ": degenerate check, directional derivative " + scale);
      double rel = Math.abs(analytic - numeric) / scale;
      assertTrue(rel <= TOLERANCE, String.format(
          "%s: analytic %.12e vs numeric %.12e, relative error %.3e", name, analytic, numeric,
          rel));
    }
  }

  /** Checks every parameter (each must have received a gradient). */
  public void checkParams(List<Param> params, DoubleSupplier loss) {
    for (Param p : params) {
      check(p.name(), p.value(), p.grad(), loss, 1);
    }
  }
}
