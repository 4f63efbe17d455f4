package org.longspark.barrier.sp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.longspark.barrier.comm.RankThreads;
import org.longspark.model.dit.VideoModel;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.DType;
import org.longspark.model.tensor.cpu.CpuBackend;

/**
 * Ulysses SP on rank threads (no Spark): in float64 the distributed step equals the single-rank
 * step to rounding (so the float32 differences of {@link SpEquivalenceTest} are rounding, not
 * algorithm); NVFP4 payload compression is off by default, and when on it shrinks the forward
 * payloads by the format's ratio at a bounded error.
 */
class UlyssesExactnessTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static List<Param> names;

  @BeforeAll
  static void names() {
    try (CpuBackend be = new CpuBackend()) {
      names = VideoModel.build(SpTrainingRun.model(), ParamFactory.allocating(be, 0),
          PrecisionPolicy.FULL).params();
    }
  }

  @Test
  @Timeout(120)
  void inFloat64TheSpStepEqualsTheSingleRankStepToRounding() {
    SpTrainingRun.Setup s = new SpTrainingRun.Setup(8, 2, 8, 8, 4, 2, 2, DType.FLOAT64,
        PayloadCompression.NONE);
    SpTrainingRun.Result whole = SpTrainingRun.whole(s, 0);
    List<SpTrainingRun.Result> ranks = RankThreads.values(4, TIMEOUT,
        comm -> SpTrainingRun.rank(s, ParallelGroups.of(comm, 4)));
    Agreement.identicalAcrossRanks("float64 SP=4", ranks);
    Agreement.check("float64 SP=4 window 4 sink 2", ranks.get(0), whole, names, 1e-12);
    ExchangeStats ex = ranks.get(0).exchange();
    assertEquals(0, ex.compressedElements(), "compression is off by default");
  }

  @Test
  @Timeout(120)
  void nvfp4PayloadsShrinkByTheFormatRatioAtABoundedError() {
    SpTrainingRun.Setup plain = new SpTrainingRun.Setup(8, 2, 8, 8, 0, 0, 0, DType.FLOAT32,
        PayloadCompression.NONE);
    SpTrainingRun.Setup nvfp4 = plain.withCompression(PayloadCompression.NVFP4);
    List<SpTrainingRun.Result> exact = RankThreads.values(4, TIMEOUT,
        comm -> SpTrainingRun.rank(plain, ParallelGroups.of(comm, 4)));
    List<SpTrainingRun.Result> lossy = RankThreads.values(4, TIMEOUT,
        comm -> SpTrainingRun.rank(nvfp4, ParallelGroups.of(comm, 4)));
    ExchangeStats e = exact.get(0).exchange();
    ExchangeStats q = lossy.get(0).exchange();
    // per layer: forward q/k/v and output compressed, backward d out and dq/dk/dv in float32
    long forwardElements = e.elements() / 2;
    assertEquals(forwardElements, q.compressedElements());
    assertEquals(e.elements(), q.elements());
    long backwardBytes = e.payloadBytes() / 2;
    assertEquals(backwardBytes + q.compressedPayloadBytes(), q.payloadBytes());
    // 4.5 bits per element and a 4-byte global scale per message part
    double ratio = q.compressionRatioVsBf16();
    double lossRel = Agreement.relative(lossy.get(0).loss(), exact.get(0).loss());
    double gradRel = Agreement.wholeModel(lossy.get(0).grads(), exact.get(0).grads());
    System.out.printf("NVFP4 payloads: %d elements in %d bytes, %.3fx smaller than BF16 (%.3fx "
        + "than FP32), payload relative RMS error %.4f; loss changes by %.2e, gradients by "
        + "%.2e%n", q.compressedElements(), q.compressedPayloadBytes(), ratio,
        q.compressionRatioVsFp32(), q.relativeRmsError(), lossRel, gradRel);
    assertTrue(ratio > 3.5 && ratio < 32.0 / 9, "ratio " + ratio);
    // E2M1 with per-16 E4M3 scales: a few percent to ~15% RMS on activation-like data
    assertTrue(q.relativeRmsError() > 0.01 && q.relativeRmsError() < 0.2,
        "payload error " + q.relativeRmsError());
    assertTrue(lossRel > 0 && lossRel < 0.05, "loss changed by " + lossRel);
    Agreement.identicalAcrossRanks("NVFP4 SP=4", lossy);
  }
}
