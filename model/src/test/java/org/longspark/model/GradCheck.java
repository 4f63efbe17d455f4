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
 * Finite differences in float64 against an explicit backward. For a scalar loss L and a variable x
 * with analytic gradient g, it compares g . v with the fourth-order central difference
 * {@code (8 (L(x+hv) - L(x-hv)) - (L(x+2hv) - L(x-2hv))) / 12h} along random directions v, with h
 * = 1e-3 times the variable's RMS (1 for an all-zero variable), so that the step is small against
 * the variable's own scale. The truncation error is O(h^4 L^(5)) ~ 1e-12 and the rounding error
 * O(eps |L| / h) ~ 1e-13 relative to |L|, so the 1e-6 relative bound holds even where a
 * directional derivative is far smaller than L (the worst seen, 3e-7, is a key bias: softmax is
 * invariant to shifting all keys, so its first-order effect nearly cancels), while any wrong term in
 * a backward (an O(1) relative error) fails it.
 */
public final class GradCheck {
  public static final double TOLERANCE = 1e-6;
  private static final double H = 1e-3;

  private static double worst;
  private static String worstName = "";
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
      double p1 = lossAt(variable, saved, v, h, loss);
      double m1 = lossAt(variable, saved, v, -h, loss);
      double p2 = lossAt(variable, saved, v, 2 * h, loss);
      double m2 = lossAt(variable, saved, v, -2 * h, loss);
      be.assign(variable, be.fromDoubles(saved, variable.shape()));
      double numeric = (8 * (p1 - m1) - (p2 - m2)) / (12 * h);
      double scale = Math.max(Math.abs(analytic), Math.abs(numeric));
      assertTrue(scale > 1e-8, name + ": degenerate check, directional derivative " + scale);
      double rel = Math.abs(analytic - numeric) / scale;
      if (rel > worst) {
        worst = rel;
        worstName = String.format("%s (analytic %.6e, numeric %.6e)", name, analytic, numeric);
      }
      assertTrue(rel <= TOLERANCE, String.format(
          "%s: analytic %.12e vs numeric %.12e, relative error %.3e", name, analytic, numeric,
          rel));
    }
  }

  /** The largest relative error seen by any check in this JVM (printed by the test classes). */
  public static double worstRelativeError() {
    return worst;
  }

  public static String worstCheck() {
    return worstName;
  }

  /** L at x0 + step * v, with x restored to x0 first. */
  private double lossAt(Tensor variable, double[] x0, Tensor v, double step, DoubleSupplier loss) {
    be.assign(variable, be.fromDoubles(x0, variable.shape()));
    be.addInPlace(variable, be.scale(v, step));
    return loss.getAsDouble();
  }

  /** Checks every parameter (each must have received a gradient). */
  public void checkParams(List<Param> params, DoubleSupplier loss) {
    for (Param p : params) {
      check(p.name(), p.value(), p.grad(), loss, 1);
    }
  }
}
