package org.longspark.barrier.sp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.longspark.model.nn.Param;

/**
 * Compares an SP rank's run with the single-rank run: relative errors in the L2 sense per
 * parameter tensor (||a - b|| / ||b||), and prints the worst of each kind, so the report quotes
 * measured numbers.
 */
final class Agreement {
  private Agreement() {}

  static double relative(double[] got, double[] want) {
    double d = 0;
    double n = 0;
    for (int i = 0; i < want.length; i++) {
      d += (got[i] - want[i]) * (got[i] - want[i]);
      n += want[i] * want[i];
    }
    return n == 0 ? Math.sqrt(d) : Math.sqrt(d / n);
  }

  static double relative(double got, double want) {
    return Math.abs(got - want) / Math.abs(want);
  }

  /** All parameters as one vector: the whole model's relative difference. */
  static double wholeModel(double[][] got, double[][] want) {
    double d = 0;
    double n = 0;
    for (int p = 0; p < want.length; p++) {
      for (int i = 0; i < want[p].length; i++) {
        d += (got[p][i] - want[p][i]) * (got[p][i] - want[p][i]);
        n += want[p][i] * want[p][i];
      }
    }
    return Math.sqrt(d / n);
  }

  /**
   * Asserts that {@code sp} agrees with {@code whole}: the first step's loss and every parameter's
   * gradient, each step's loss and gradient norm, and the whole model after the steps, all within
   * {@code tol}.
   */
  static void check(String label, SpTrainingRun.Result sp, SpTrainingRun.Result whole,
      List<Param> names, double tol) {
    double loss = relative(sp.loss(), whole.loss());
    double worstGrad = 0;
    String worstName = "";
    for (int p = 0; p < whole.grads().length; p++) {
      double e = relative(sp.grads()[p], whole.grads()[p]);
      assertTrue(e <= tol, label + ": gradient of " + names.get(p).name() + " differs by " + e);
      if (e >= worstGrad) {
        worstGrad = e;
        worstName = names.get(p).name();
      }
    }
    double worstStep = 0;
    for (int k = 0; k < whole.stepLosses().length; k++) {
      worstStep = Math.max(worstStep, Math.max(relative(sp.stepLosses()[k],
          whole.stepLosses()[k]), relative(sp.gradNorms()[k], whole.gradNorms()[k])));
    }
    double model = wholeModel(sp.params(), whole.params());
    double worstTensor = 0;
    for (int p = 0; p < whole.params().length; p++) {
      worstTensor = Math.max(worstTensor, relative(sp.params()[p], whole.params()[p]));
    }
    System.out.printf("%s: loss %.2e, worst gradient %.2e (%s), steps' loss/grad-norm %.2e, "
        + "parameters after %d steps %.2e (worst tensor %.2e)%n", label, loss, worstGrad,
        worstName, worstStep, whole.stepLosses().length, model, worstTensor);
    assertTrue(loss <= tol, label + ": loss " + sp.loss() + " vs " + whole.loss());
    assertTrue(worstStep <= tol, label + ": steps drift by " + worstStep);
    assertTrue(model <= tol, label + ": parameters after the steps differ by " + model);
  }

  /** The ranks of one step must agree with each other bit for bit. */
  static void identicalAcrossRanks(String label, List<SpTrainingRun.Result> ranks) {
    SpTrainingRun.Result r0 = ranks.get(0);
    for (SpTrainingRun.Result r : ranks) {
      assertEquals(r0.loss(), r.loss(), 0, label + ": loss of rank " + r.rank());
      assertArrayEquals(r0.stepLosses(), r.stepLosses(), 0, label + ": rank " + r.rank());
      for (int p = 0; p < r0.grads().length; p++) {
        assertArrayEquals(r0.grads()[p], r.grads()[p], 0, label + ": gradient " + p + " rank "
            + r.rank());
        assertArrayEquals(r0.params()[p], r.params()[p], 0, label + ": parameter " + p + " rank "
            + r.rank());
      }
    }
  }
}
