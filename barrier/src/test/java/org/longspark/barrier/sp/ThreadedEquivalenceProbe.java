package org.longspark.barrier.sp;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.longspark.barrier.comm.RankThreads;
import org.longspark.model.tensor.DType;

class ThreadedEquivalenceProbe {
  @Test
  void probe() {
    for (int[] ws : new int[][] {{0, 0}, {4, 2}, {0, 1}}) {
      SpTrainingRun.Setup s = new SpTrainingRun.Setup(8, 2, 8, 8, ws[0], ws[1], 3,
          ws[1] == 1 ? DType.FLOAT64 : DType.FLOAT32, PayloadCompression.NONE);
      SpTrainingRun.Result ref = SpTrainingRun.whole(s, 0);
      for (int p : new int[] {1, 2, 4}) {
        List<SpTrainingRun.Result> rs = RankThreads.values(p, Duration.ofSeconds(60),
            comm -> SpTrainingRun.rank(s, ParallelGroups.of(comm, p)));
        SpTrainingRun.Result r = rs.get(0);
        double worstG = 0;
        for (int i = 0; i < ref.grads().length; i++) {
          worstG = Math.max(worstG, rel(ref.grads()[i], r.grads()[i]));
        }
        double worstP = 0;
        java.util.List<org.longspark.model.nn.Param> names = null;
        for (int i = 0; i < ref.params().length; i++) {
          double e = rel(ref.params()[i], r.params()[i]);
          worstP = Math.max(worstP, e);
          if (e > 1e-5) {
            int big = 0;
            float[] a = ref.params()[i];
            float[] b = r.params()[i];
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < a.length; j++) {
              if (Math.abs(a[j] - b[j]) > 1e-5) {
                big++;
                if (big < 4) {
                  sb.append(String.format(" [%d] %.6e vs %.6e g %.3e vs %.3e;", j, a[j], b[j], ref.grads()[i][j], r.grads()[i][j]));
                }
              }
            }
            System.out.printf("   param %d: rel %.2e, %d of %d elements differ > 1e-5:%s%n", i, e, big, a.length, sb);
          }
        }
        double dAll = 0, nAll = 0;
        for (int i = 0; i < ref.params().length; i++) {
          for (int j = 0; j < ref.params()[i].length; j++) {
            double d = (double) ref.params()[i][j] - r.params()[i][j];
            dAll += d * d;
            nAll += (double) ref.params()[i][j] * ref.params()[i][j];
          }
        }
        System.out.printf("   whole-model param rel %.2e%n", Math.sqrt(dAll / nAll));
        System.out.printf("window %d sink %d P=%d loss %.8f vs %.8f (%.2e) grads %.2e steps %s vs %s params %.2e%n",
            ws[0], ws[1], p, r.loss(), ref.loss(), Math.abs(r.loss() - ref.loss()) / ref.loss(),
            worstG, java.util.Arrays.toString(r.stepLosses()),
            java.util.Arrays.toString(ref.stepLosses()), worstP);
      }
    }
  }

  static double rel(float[] a, float[] b) {
    double d = 0;
    double n = 0;
    for (int i = 0; i < a.length; i++) {
      d += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
      n += (double) a[i] * a[i];
    }
    return n == 0 ? Math.sqrt(d) : Math.sqrt(d / n);
  }
}
