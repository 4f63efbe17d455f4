package org.longspark.model.dit;

import java.util.ArrayList;
import java.util.List;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.Backend;
import org.longspark.model.text.BuiltInTextEncoder;
import org.longspark.model.text.PrecomputedTextEmbeddings;
import org.longspark.model.text.TextConditioner;

/** A DiT together with its text conditioning: everything one training step updates. */
public record VideoModel(ModelConfig config, CausalDit dit, TextConditioner text) {

  /** Builds the model with parameters from {@code f} (allocating or counting). */
  public static VideoModel build(ModelConfig c, ParamFactory f, PrecisionPolicy policy) {
    Backend be = f.backend();
    TextConditioner text = switch (c.text().encoder()) {
      case BUILTIN -> new BuiltInTextEncoder(f, "text_encoder", c.text().vocab(),
          c.text().maxTokens(), c.text().dim(), c.text().heads(), c.text().ffnDim(),
          c.text().layers(), policy);
      case PRECOMPUTED -> new PrecomputedTextEmbeddings(be, c.text().dim());
    };
    return new VideoModel(c, new CausalDit(c, f, policy), text);
  }

  /** The number of parameters of a configuration, counted from shapes without allocating them. */
  public static long parameterCount(ModelConfig c) {
    ParamFactory counting = ParamFactory.counting();
    build(c, counting, PrecisionPolicy.FULL);
    return counting.count();
  }

  public List<Param> params() {
    List<Param> all = new ArrayList<>(text.params());
    all.addAll(dit.params());
    return all;
  }
}
