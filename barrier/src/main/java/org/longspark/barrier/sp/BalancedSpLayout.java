package org.longspark.barrier.sp;

import org.longspark.model.train.TeacherForcingMask;

/**
 * Balanced sequence parallelism over P ranks for a clip of F latent frames in chunks of c frames,
 * T tokens per frame and H attention heads. Rank r owns latent frames [rF/P, (r+1)F/P) — whole
 * chunks — and its local sequence is [clean_r ; noisy_r]: its clean frames, then the noisy copies
 * of the same frames, so every rank holds the same number of clean and noisy tokens and the same
 * share of the loss.
 *
 * <p>Three token orders appear: the global order of the single-rank step ([clean 0..F-1 ;
 * noisy 0..F-1], slot = frame or F + frame), each rank's local order, and the gathered order that
 * Ulysses attention sees after its all-to-all: the local sequences of ranks 0..P-1 concatenated.
 */
public final class BalancedSpLayout {
  private final int frames;
  private final int chunk;
  private final int tokensPerFrame;
  private final int heads;
  private final int degree;

  public BalancedSpLayout(int frames, int chunk, int tokensPerFrame, int heads, int degree) {
    if (degree < 1) {
      throw new IllegalArgumentException("SP degree must be >= 1, got " + degree);
    }
    if (chunk < 1 || tokensPerFrame < 1 || frames < 1 || heads < 1) {
      throw new IllegalArgumentException("frames " + frames + ", chunk " + chunk
          + ", tokens per frame " + tokensPerFrame + " and heads " + heads + " must be >= 1");
    }
    if (frames % (degree * chunk) != 0) {
      throw new IllegalArgumentException("Balanced SP needs the latent frames F = " + frames
          + " divisible by SP degree P times chunk c = " + degree + " x " + chunk + " = "
          + degree * chunk + " (every rank owns whole chunks)");
    }
    if (heads % degree != 0) {
      throw new IllegalArgumentException("Ulysses attention needs the heads H = " + heads
          + " divisible by SP degree P = " + degree + " (every rank attends with H/P heads)");
    }
    this.frames = frames;
    this.chunk = chunk;
    this.tokensPerFrame = tokensPerFrame;
    this.heads = heads;
    this.degree = degree;
  }

  public int frames() {
    return frames;
  }

  public int chunk() {
    return chunk;
  }

  public int tokensPerFrame() {
    return tokensPerFrame;
  }

  public int heads() {
    return heads;
  }

  public int degree() {
    return degree;
  }

  public int framesPerRank() {
    return frames / degree;
  }

  public int headsPerRank() {
    return heads / degree;
  }

  /** The first latent frame rank r owns: rF/P. */
  public int firstFrame(int rank) {
    checkRank(rank);
    return rank * framesPerRank();
  }

  /** Frame slots of a local sequence: 2F/P. */
  public int localSlots() {
    return 2 * framesPerRank();
  }

  public int localTokens() {
    return localSlots() * tokensPerFrame;
  }

  public int globalTokens() {
    return 2 * frames * tokensPerFrame;
  }

  /** The global slot of rank r's local slot: clean frames first, then their noisy copies. */
  public int globalSlot(int rank, int localSlot) {
    if (localSlot < 0 || localSlot >= localSlots()) {
      throw new IllegalArgumentException("local slot " + localSlot + " outside [0, "
          + localSlots() + ")");
    }
    int fpr = framesPerRank();
    int frame = firstFrame(rank) + localSlot % fpr;
    return localSlot < fpr ? frame : frames + frame;
  }

  public int globalToken(int rank, int localToken) {
    if (localToken < 0 || localToken >= localTokens()) {
      throw new IllegalArgumentException("local token " + localToken + " outside [0, "
          + localTokens() + ")");
    }
    return globalSlot(rank, localToken / tokensPerFrame) * tokensPerFrame
        + localToken % tokensPerFrame;
  }

  /** The rank that holds a global token. */
  public int owner(int globalToken) {
    return frameOfToken(globalToken) / framesPerRank();
  }

  /** A global token's index in its owner's local sequence. */
  public int localToken(int globalToken) {
    int slot = globalToken / tokensPerFrame;
    int frame = frameOfToken(globalToken);
    int localSlot = frame % framesPerRank() + (slot >= frames ? framesPerRank() : 0);
    return localSlot * tokensPerFrame + globalToken % tokensPerFrame;
  }

  private int frameOfToken(int globalToken) {
    if (globalToken < 0 || globalToken >= globalTokens()) {
      throw new IllegalArgumentException("global token " + globalToken + " outside [0, "
          + globalTokens() + ")");
    }
    return (globalToken / tokensPerFrame) % frames;
  }

  /** The temporal (RoPE) position of each of rank r's local slots: its latent frame. */
  public int[] localSlotPositions(int rank) {
    int[] p = new int[localSlots()];
    for (int s = 0; s < p.length; s++) {
      p[s] = globalSlot(rank, s) % frames;
    }
    return p;
  }

  /** The global slot of each gathered slot (the ranks' local sequences, in rank order). */
  public int[] gatheredSlots() {
    int[] g = new int[degree * localSlots()];
    for (int r = 0; r < degree; r++) {
      for (int s = 0; s < localSlots(); s++) {
        g[r * localSlots() + s] = globalSlot(r, s);
      }
    }
    return g;
  }

  /**
   * The teacher-forcing mask in gathered order, [L, L] row-major (true = may attend): the same
   * query/key pairs as the clip's mask, permuted.
   */
  public boolean[] gatheredMask(TeacherForcingMask clipMask) {
    if (clipMask.frames() != frames || clipMask.chunk() != chunk
        || clipMask.tokensPerFrame() != tokensPerFrame) {
      throw new IllegalArgumentException("mask of " + clipMask.frames() + " frames, chunk "
          + clipMask.chunk() + ", " + clipMask.tokensPerFrame() + " tokens per frame does not "
          + "fit this layout (" + frames + ", " + chunk + ", " + tokensPerFrame + ")");
    }
    int[] slots = gatheredSlots();
    int n = slots.length;
    boolean[] slotMask = new boolean[n * n];
    for (int q = 0; q < n; q++) {
      for (int k = 0; k < n; k++) {
        slotMask[q * n + k] = clipMask.allowsSlots(slots[q], slots[k]);
      }
    }
    int len = n * tokensPerFrame;
    boolean[] m = new boolean[len * len];
    for (int q = 0; q < len; q++) {
      int row = (q / tokensPerFrame) * n;
      for (int k = 0; k < len; k++) {
        m[q * len + k] = slotMask[row + k / tokensPerFrame];
      }
    }
    return m;
  }

  /** Rank r's frames of latents [B, C, F, H, W] (row-major): [B, C, F/P, H, W]. */
  public float[] localLatents(float[] clip, int batch, int channels, int height, int width,
      int rank) {
    int plane = height * width;
    if ((long) batch * channels * frames * plane != clip.length) {
      throw new IllegalArgumentException("latents of length " + clip.length + " do not fit ["
          + batch + ", " + channels + ", " + frames + ", " + height + ", " + width + "]");
    }
    int fpr = framesPerRank();
    float[] out = new float[batch * channels * fpr * plane];
    int first = firstFrame(rank);
    for (int bc = 0; bc < batch * channels; bc++) {
      System.arraycopy(clip, (bc * frames + first) * plane, out, bc * fpr * plane, fpr * plane);
    }
    return out;
  }

  private void checkRank(int rank) {
    if (rank < 0 || rank >= degree) {
      throw new IllegalArgumentException("rank " + rank + " outside SP group of " + degree);
    }
  }

  @Override
  public String toString() {
    return "BalancedSpLayout[F=" + frames + ", c=" + chunk + ", T=" + tokensPerFrame + ", H="
        + heads + ", P=" + degree + "]";
  }
}
