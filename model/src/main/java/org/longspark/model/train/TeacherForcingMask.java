package org.longspark.model.train;

/**
 * The teacher-forcing attention mask over the sequence [clean frames 0..F-1 ; noisy frames 0..F-1],
 * frames grouped into blocks (chunks) of c latent frames (block = frame / c):
 * <ul>
 *   <li>clean -> clean iff block_k <= block_q (causal by block);
 *   <li>clean -> noisy never;
 *   <li>noisy -> clean iff block_k < block_q (strictly earlier context);
 *   <li>noisy -> noisy iff same block.
 * </ul>
 * Optionally a key frame must also be in the sliding window of the last W latent frames ending with
 * the query's block, or be one of the first S (sink) frames. Every query keeps at least its own
 * block (W >= c), so no row is empty.
 */
public final class TeacherForcingMask {
  private final int frames;
  private final int chunk;
  private final int tokensPerFrame;
  private final int window;
  private final int sink;

  /**
   * @param window sliding window in latent frames, 0 for none
   * @param sink number of leading frames always visible (with a window), 0 for none
   */
  public TeacherForcingMask(int frames, int chunk, int tokensPerFrame, int window, int sink) {
    if (chunk < 1 || frames < 1 || frames % chunk != 0) {
      throw new IllegalArgumentException(
          "frames " + frames + " must be a positive multiple of chunk " + chunk);
    }
    if (tokensPerFrame < 1) {
      throw new IllegalArgumentException("tokens per frame must be >= 1, got " + tokensPerFrame);
    }
    if (window != 0 && window < chunk) {
      throw new IllegalArgumentException(
          "window " + window + " must be 0 (none) or at least one chunk (" + chunk + " frames)");
    }
    if (sink < 0 || sink > frames) {
      throw new IllegalArgumentException("sink " + sink + " outside [0, " + frames + "]");
    }
    this.frames = frames;
    this.chunk = chunk;
    this.tokensPerFrame = tokensPerFrame;
    this.window = window;
    this.sink = sink;
  }

  /** Latent frames F of the clip. */
  public int frames() {
    return frames;
  }

  /** Latent frames per chunk (AR block). */
  public int chunk() {
    return chunk;
  }

  public int tokensPerFrame() {
    return tokensPerFrame;
  }

  /** Frame slots in the sequence: 2F (clean, then noisy). */
  public int slots() {
    return 2 * frames;
  }

  public int length() {
    return slots() * tokensPerFrame;
  }

  public boolean isNoisySlot(int slot) {
    return slot >= frames;
  }

  /** The latent frame index of a slot (its temporal position). */
  public int frameOf(int slot) {
    return slot % frames;
  }

  /** Whether a query in frame slot {@code q} may attend to a key in frame slot {@code k}. */
  public boolean allowsSlots(int q, int k) {
    int fq = frameOf(q);
    int fk = frameOf(k);
    int bq = fq / chunk;
    int bk = fk / chunk;
    boolean causal;
    if (!isNoisySlot(q)) {
      causal = !isNoisySlot(k) && bk <= bq;
    } else {
      causal = isNoisySlot(k) ? bk == bq : bk < bq;
    }
    if (!causal || window == 0) {
      return causal;
    }
    int windowStart = (bq + 1) * chunk - window;
    return fk >= windowStart || fk < sink;
  }

  /** Whether token {@code q} may attend to token {@code k}. */
  public boolean allows(int q, int k) {
    return allowsSlots(q / tokensPerFrame, k / tokensPerFrame);
  }

  /** The full [L, L] table, row-major (true = may attend). */
  public boolean[] table() {
    int slots = slots();
    boolean[] slotTable = new boolean[slots * slots];
    for (int q = 0; q < slots; q++) {
      for (int k = 0; k < slots; k++) {
        slotTable[q * slots + k] = allowsSlots(q, k);
      }
    }
    int n = length();
    boolean[] t = new boolean[n * n];
    for (int q = 0; q < n; q++) {
      int base = (q / tokensPerFrame) * slots;
      for (int k = 0; k < n; k++) {
        t[q * n + k] = slotTable[base + k / tokensPerFrame];
      }
    }
    return t;
  }

  /** Temporal position of each frame slot, for RoPE (a noisy frame shares its clean twin's). */
  public int[] slotPositions() {
    int[] p = new int[slots()];
    for (int s = 0; s < p.length; s++) {
      p[s] = frameOf(s);
    }
    return p;
  }
}
