package org.longspark.model.text;

import java.util.List;

/**
 * The text side of a training batch: prompts for the built-in encoder, or embeddings computed
 * elsewhere (T5 features shipped with the data) as [B, tokens, dim] row-major.
 */
public record TextBatch(List<String> prompts, float[] embeddings, int batch, int tokens, int dim) {

  public static TextBatch ofPrompts(List<String> prompts) {
    return new TextBatch(List.copyOf(prompts), null, prompts.size(), 0, 0);
  }

  public static TextBatch ofEmbeddings(float[] embeddings, int batch, int tokens, int dim) {
    if ((long) batch * tokens * dim != embeddings.length) {
      throw new IllegalArgumentException("text embeddings of length " + embeddings.length
          + " do not fit [" + batch + ", " + tokens + ", " + dim + "]");
    }
    return new TextBatch(null, embeddings.clone(), batch, tokens, dim);
  }
}
