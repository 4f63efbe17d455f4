package org.longspark.model.nn;

import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * adaLN modulation: a learned table [chunks, D] plus the timestep embedding of each frame, split into
 * {@code chunks} vectors of shape [B, F, 1, D] (shift, scale, gate, ...) that broadcast over the P
 * tokens of each frame. The embedding input is [B, F, inChunks * D], with inChunks either 1 (the same
 * embedding added to every chunk, as in the output head) or {@code chunks} (one slice per chunk, as
 * in a DiT block).
 */
public final class AdaLnModulation {
  private final Backend be;
  private final Param table;
  private final int chunks;
  private final int inChunks;
  private final int dim;

  public AdaLnModulation(ParamFactory f, String name, int chunks, int inChunks, int dim) {
    if (inChunks != 1 && inChunks != chunks) {
      throw new IllegalArgumentException(
          name + ": input chunks " + inChunks + " must be 1 or " + chunks);
    }
    this.be = f.backend();
    this.table = f.scope(name).create("table", ParamFactory.Init.NORMAL_FAN_IN, chunks, dim);
    this.chunks = chunks;
    this.inChunks = inChunks;
    this.dim = dim;
  }

  /** Splits {@code emb} [B, F, inChunks*D] plus the table into {@code chunks} [B, F, 1, D]. */
  public Tensor[] forward(Tensor emb) {
    int b = emb.dim(0);
    int frames = emb.dim(1);
    Tensor sum = be.add(be.reshape(emb, b, frames, inChunks, dim), table.value());
    Tensor[] out = new Tensor[chunks];
    for (int i = 0; i < chunks; i++) {
      out[i] = be.slice(sum, 2, i, i + 1);
    }
    return out;
  }

  /** Takes the gradient of every chunk; accumulates the table's and returns d emb. */
  public Tensor backward(Tensor[] dchunks) {
    Tensor d = be.concat(dchunks, 2);
    table.accumulate(be, be.sumTo(d, chunks, dim));
    int b = d.dim(0);
    int frames = d.dim(1);
    return be.reshape(be.sumTo(d, b, frames, inChunks, dim), b, frames, inChunks * dim);
  }

  public Param table() {
    return table;
  }
}
