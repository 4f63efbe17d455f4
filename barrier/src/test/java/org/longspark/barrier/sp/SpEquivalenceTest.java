package org.longspark.barrier.sp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.longspark.barrier.spark.BarrierRunner;
import org.longspark.barrier.spark.LocalSpark;
import org.longspark.model.dit.VideoModel;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.cpu.CpuBackend;

/**
 * The Balanced-SP training step on real Spark barrier tasks (local[4], sockets on 127.0.0.1)
 * equals the single-rank step of the same {@code tiny} model on the same clip: loss and every
 * parameter gradient, then three optimizer steps in lock step, without and with a sliding window
 * and sink, in float32 within 1e-5 relative. The ranks of a run agree with each other bit for bit.
 * Clip: 8 latent frames of 8x8 (16 tokens each, 256 in the sequence), chunk 2.
 */
class SpEquivalenceTest {
  private static final double TOLERANCE = 1e-5;
  private static final SpTrainingRun.Setup FULL = new SpTrainingRun.Setup(8, 2, 8, 8, 0, 0, 3,
      DType.FLOAT32, PayloadCompression.NONE);
  private static final SpTrainingRun.Setup WINDOWED = new SpTrainingRun.Setup(8, 2, 8, 8, 4, 2,
      3, DType.FLOAT32, PayloadCompression.NONE);
  private static final List<SpTrainingRun.Setup> SETUPS = List.of(FULL, WINDOWED);

  private static JavaSparkContext spark;
  private static BarrierRunner runner;
  private static List<SpTrainingRun.Result> wholeClip;
  private static List<Param> names;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start("sp-equivalence-test", Map.of());
    runner = BarrierRunner.on(spark, Duration.ofSeconds(60)).listeningOn("127.0.0.1");
    wholeClip = new ArrayList<>();
    for (SpTrainingRun.Setup s : SETUPS) {
      wholeClip.add(SpTrainingRun.whole(s, 0));
    }
    try (CpuBackend be = new CpuBackend()) {
      names = VideoModel.build(SpTrainingRun.model(), ParamFactory.allocating(be, 0),
          PrecisionPolicy.FULL).params();
    }
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @ParameterizedTest(name = "SP = {0}")
  @ValueSource(ints = {1, 2, 4})
  @Timeout(120)
  void theSpStepEqualsTheSingleRankStep(int degree) {
    List<ArrayList<SpTrainingRun.Result>> byRank = runner.run(degree, ctx -> {
      ParallelGroups groups = ParallelGroups.of(ctx.communicator(), degree);
      ArrayList<SpTrainingRun.Result> out = new ArrayList<>();
      for (SpTrainingRun.Setup s : SETUPS) {
        out.add(SpTrainingRun.rank(s, groups));
      }
      return out;
    });
    for (int i = 0; i < SETUPS.size(); i++) {
      String label = "SP=" + degree + (SETUPS.get(i).window() > 0 ? " window 4 sink 2"
          : " full causal");
      List<SpTrainingRun.Result> ranks = new ArrayList<>();
      for (ArrayList<SpTrainingRun.Result> r : byRank) {
        ranks.add(r.get(i));
      }
      Agreement.identicalAcrossRanks(label, ranks);
      Agreement.check(label, ranks.get(0), wholeClip.get(i), names, TOLERANCE);
    }
  }

  @Test
  @Timeout(120)
  void twoSpGroupsAsDataParallelReplicasAverageTheirClips() {
    SpTrainingRun.Setup s = new SpTrainingRun.Setup(8, 2, 8, 8, 0, 0, 0, DType.FLOAT32,
        PayloadCompression.NONE);
    List<SpTrainingRun.Result> ranks = runner.run(4,
        ctx -> SpTrainingRun.rank(s, ParallelGroups.of(ctx.communicator(), 2)));
    SpTrainingRun.Result a = SpTrainingRun.whole(s, 0);
    SpTrainingRun.Result b = SpTrainingRun.whole(s, 1);
    double[][] mean = new double[a.grads().length][];
    for (int p = 0; p < mean.length; p++) {
      mean[p] = new double[a.grads()[p].length];
      for (int i = 0; i < mean[p].length; i++) {
        mean[p][i] = (a.grads()[p][i] + b.grads()[p][i]) / 2;
      }
    }
    SpTrainingRun.Result reference = new SpTrainingRun.Result(-1, (a.loss() + b.loss()) / 2,
        mean, new double[0], new double[0], a.params(), null);
    Agreement.identicalAcrossRanks("SP=2 x DP=2", ranks);
    Agreement.check("SP=2 x DP=2 (mean of two clips)", ranks.get(0), reference, names,
        TOLERANCE);
  }
}
