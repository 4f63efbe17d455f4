package org.longspark.model.text;

import java.util.List;
import org.longspark.model.nn.Param;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/** Text features computed outside (e.g. by T5) and supplied with the data; nothing to train. */
public final class PrecomputedTextEmbeddings implements TextConditioner {
  private final Backend be;
  private final int dim;

  public PrecomputedTextEmbeddings(Backend be, int dim) {
    this.be = be;
    this.dim = dim;
  }

  @Override
  public int dim() {
    return dim;
  }

  @Override
  public Encoded encode(TextBatch batch, long seed) {
    if (batch.embeddings() == null) {
      throw new IllegalArgumentException(
          "precomputed text conditioning needs embeddings in the batch, got prompts");
    }
    if (batch.dim() != dim) {
      throw new IllegalArgumentException(
          "text embedding dim " + batch.dim() + " but the model expects " + dim);
    }
    return new Encoded(be.fromFloats(batch.embeddings(), batch.batch(), batch.tokens(), dim),
        null);
  }

  @Override
  public void backward(Encoded encoded, Tensor dcontext) {
    // Fixed features: the gradient stops here.
  }

  @Override
  public List<Param> params() {
    return List.of();
  }
}
