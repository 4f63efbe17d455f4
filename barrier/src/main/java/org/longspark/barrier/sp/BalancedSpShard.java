package org.longspark.barrier.sp;

import java.util.List;
import org.longspark.model.nn.Attention;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.Rope3d;
import org.longspark.model.tensor.Backend;
import org.longspark.model.train.TeacherForcingMask;
import org.longspark.model.train.TrainingShard;

/**
 * A rank's share of a teacher-forcing step under Balanced SP (and data parallelism across SP
 * groups): its frames of the clip per {@link BalancedSpLayout}, self-attention through
 * {@link UlyssesAttention} over its SP group, and {@link GradientAllReduce} of the gradients. Give
 * it to {@code TeacherForcingTrainer} together with a batch holding this rank's frames.
 */
public final class BalancedSpShard implements TrainingShard {
  private final ParallelGroups groups;
  private final int heads;
  private final UlyssesAttention attention;
  private final GradientAllReduce reducer;
  private BalancedSpLayout layout;

  /** {@code heads}: the DiT's attention heads (checked against the SP degree). */
  public BalancedSpShard(ParallelGroups groups, int heads, PayloadCompression compression) {
    if (heads % groups.spDegree() != 0) {
      throw new IllegalArgumentException("Ulysses attention needs the heads H = " + heads
          + " divisible by SP degree P = " + groups.spDegree());
    }
    this.groups = groups;
    this.heads = heads;
    this.attention = new UlyssesAttention(groups.sp(), compression);
    this.reducer = new GradientAllReduce(groups);
  }

  public ParallelGroups groups() {
    return groups;
  }

  /** The layout of the last clip shape seen (null before the first step). */
  public BalancedSpLayout layout() {
    return layout;
  }

  public ExchangeStats exchangeStats() {
    return attention.stats();
  }

  @Override
  public int clipFrames(int localFrames) {
    return localFrames * groups.spDegree();
  }

  @Override
  public int firstFrame(int localFrames) {
    return localFrames * groups.spRank();
  }

  @Override
  public SelfAttention selfAttention(Backend be, Rope3d rope, TeacherForcingMask clipMask,
      int gridHeight, int gridWidth) {
    layout = new BalancedSpLayout(clipMask.frames(), clipMask.chunk(),
        clipMask.tokensPerFrame(), heads, groups.spDegree());
    Attention.Rotary rotary = rope.tables(be, layout.localSlotPositions(groups.spRank()),
        gridHeight, gridWidth);
    int len = layout.globalTokens();
    return new SelfAttention(rotary, be.maskBias(layout.gatheredMask(clipMask), len, len),
        attention);
  }

  @Override
  public double allReduce(Backend be, double localLoss, List<Param> params) {
    return reducer.allReduce(be, localLoss, params);
  }

  @Override
  public String toString() {
    return "Balanced SP rank " + groups.spRank() + " of " + groups.spDegree() + ", replica "
        + groups.dpRank() + " of " + groups.dpDegree();
  }
}
