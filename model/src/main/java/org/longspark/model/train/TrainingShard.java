package org.longspark.model.train;

import java.util.List;
import org.longspark.model.nn.Attention;
import org.longspark.model.nn.AttentionCore;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.Rope3d;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * This process's share of a teacher-forcing step: which frames of the clip it holds, how its
 * self-attention runs, and how the partial losses and gradients of all processes are combined. The
 * model stays free of any distributed runtime: {@link #WHOLE} is a single process holding the whole
 * clip, and a sequence- or data-parallel runtime supplies its own implementation.
 */
public interface TrainingShard {
  /** One process, the whole clip, nothing to combine. */
  TrainingShard WHOLE = new TrainingShard() {
    @Override
    public int clipFrames(int localFrames) {
      return localFrames;
    }

    @Override
    public int firstFrame(int localFrames) {
      return 0;
    }

    @Override
    public SelfAttention selfAttention(Backend be, Rope3d rope, TeacherForcingMask clipMask,
        int gridHeight, int gridWidth) {
      return new SelfAttention(rope.tables(be, clipMask.slotPositions(), gridHeight, gridWidth),
          be.maskBias(clipMask.table(), clipMask.length(), clipMask.length()),
          AttentionCore.LOCAL);
    }

    @Override
    public double allReduce(Backend be, double localLoss, List<Param> params) {
      return localLoss;
    }

    @Override
    public String toString() {
      return "whole clip";
    }
  };

  /** Latent frames of the whole clip when this process's batch holds {@code localFrames}. */
  int clipFrames(int localFrames);

  /** The clip frame that this process's first local frame is. */
  int firstFrame(int localFrames);

  /**
   * The self-attention of the local sequence [clean_local ; noisy_local] for one clip shape: RoPE
   * tables of the local tokens, the mask bias over the tokens the core attends across, and the
   * core. Called outside a step: the tensors persist and are reused while the shape stays.
   */
  SelfAttention selfAttention(Backend be, Rope3d rope, TeacherForcingMask clipMask,
      int gridHeight, int gridWidth);

  /** What {@link #selfAttention} returns. */
  record SelfAttention(Attention.Rotary rotary, Tensor maskBias, AttentionCore core) {}

  /**
   * Combines the steps of all processes: every process passes its share of the loss (already
   * normalized by the whole clip's token count) and its parameters with their partial gradients;
   * the gradients are replaced by the combined ones and the combined loss is returned, identical on
   * every process.
   */
  double allReduce(Backend be, double localLoss, List<Param> params);
}
