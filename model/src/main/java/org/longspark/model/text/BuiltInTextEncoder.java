package org.longspark.model.text;

import java.util.ArrayList;
import java.util.List;
import org.longspark.model.nn.LayerNorm;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.Tensor;

/**
 * A small text encoder trained jointly with the DiT: hashed word tokens, learned token and position
 * embeddings, a stack of bidirectional transformer layers and a final LayerNorm. Padding tokens are
 * ordinary (learned) tokens, as Wan feeds zero-padded T5 features to cross-attention unmasked.
 */
public final class BuiltInTextEncoder implements TextConditioner {
  private final Backend be;
  private final WordTokenizer tokenizer;
  private final int vocab;
  private final int dim;
  private final Param tokenTable;
  private final Param positionTable;
  private final List<TextEncoderLayer> layers = new ArrayList<>();
  private final LayerNorm finalNorm;
  private final List<Param> params;

  public BuiltInTextEncoder(ParamFactory root, String name, int vocab, int maxTokens, int dim,
      int heads, int ffnDim, int depth, PrecisionPolicy policy) {
    ParamFactory s = root.scope(name);
    this.be = root.backend();
    this.tokenizer = new WordTokenizer(vocab, maxTokens);
    this.vocab = vocab;
    this.dim = dim;
    int before = root.params().size();
    this.tokenTable = s.create("tokens", ParamFactory.Init.NORMAL, vocab, dim);
    this.positionTable = s.create("positions", ParamFactory.Init.NORMAL, maxTokens, dim);
    for (int i = 0; i < depth; i++) {
      layers.add(new TextEncoderLayer(s, "layers." + i, dim, heads, ffnDim, policy));
    }
    this.finalNorm = new LayerNorm(s, "norm", dim, true, 1e-6);
    this.params = List.copyOf(root.params().subList(before, root.params().size()));
  }

  @Override
  public int dim() {
    return dim;
  }

  private record Saved(int[] ids, int batch, List<TextEncoderLayer.Saved> layers,
      Backend.Normalized out) {}

  @Override
  public Encoded encode(TextBatch batch, long seed) {
    if (batch.prompts() == null) {
      throw new IllegalArgumentException("the built-in text encoder needs prompts in the batch");
    }
    int b = batch.batch();
    int t = tokenizer.maxTokens();
    int[] ids = new int[b * t];
    for (int i = 0; i < b; i++) {
      System.arraycopy(tokenizer.encode(batch.prompts().get(i)), 0, ids, i * t, t);
    }
    Tensor x = be.add(be.reshape(be.embeddingLookup(tokenTable.value(), ids), b, t, dim),
        positionTable.value());
    List<TextEncoderLayer.Saved> saved = new ArrayList<>();
    for (TextEncoderLayer layer : layers) {
      TextEncoderLayer.Saved ls = layer.forward(x, seed);
      saved.add(ls);
      x = ls.y();
    }
    Backend.Normalized out = finalNorm.forward(x);
    return new Encoded(out.y(), new Saved(ids, b, saved, out));
  }

  @Override
  public void backward(Encoded encoded, Tensor dcontext) {
    Saved s = (Saved) encoded.saved();
    Tensor dx = finalNorm.backward(s.out, dcontext);
    for (int i = layers.size() - 1; i >= 0; i--) {
      dx = layers.get(i).backward(s.layers.get(i), dx);
    }
    positionTable.accumulate(be, be.sumTo(dx, positionTable.shape()));
    tokenTable.accumulate(be,
        be.embeddingBackward(be.reshape(dx, s.ids.length, dim), s.ids, vocab));
  }

  @Override
  public List<Param> params() {
    return params;
  }
}
