package org.longspark.model.dit;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.longspark.model.nn.Linear;
import org.longspark.model.nn.LoraAdapter;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.Backend;
import org.longspark.model.text.BuiltInTextEncoder;
import org.longspark.model.text.PrecomputedTextEmbeddings;
import org.longspark.model.text.TextConditioner;

/** A DiT together with its text conditioning (and LoRA adapters, if enabled). */
public final class VideoModel {
  private final ModelConfig config;
  private final CausalDit dit;
  private final TextConditioner text;
  private final ParamFactory factory;
  private final List<LoraAdapter> adapters = new ArrayList<>();

  private VideoModel(ModelConfig config, CausalDit dit, TextConditioner text,
      ParamFactory factory) {
    this.config = config;
    this.dit = dit;
    this.text = text;
    this.factory = factory;
  }

  /** Builds the model with parameters from {@code f} (allocating or counting). */
  public static VideoModel build(ModelConfig c, ParamFactory f, PrecisionPolicy policy) {
    Backend be = f.backend();
    TextConditioner text = switch (c.text().encoder()) {
      case BUILTIN -> new BuiltInTextEncoder(f, "text_encoder", c.text().vocab(),
          c.text().maxTokens(), c.text().dim(), c.text().heads(), c.text().ffnDim(),
          c.text().layers(), policy);
      case PRECOMPUTED -> new PrecomputedTextEmbeddings(be, c.text().dim());
    };
    return new VideoModel(c, new CausalDit(c, f, policy), text, f);
  }

  /** The number of parameters of a configuration, counted from shapes without allocating them. */
  public static long parameterCount(ModelConfig c) {
    ParamFactory counting = ParamFactory.counting();
    build(c, counting, PrecisionPolicy.FULL);
    return counting.count();
  }

  public ModelConfig config() {
    return config;
  }

  public CausalDit dit() {
    return dit;
  }

  public TextConditioner text() {
    return text;
  }

  /** Every parameter, adapters included (frozen ones report {@code trainable() == false}). */
  public List<Param> params() {
    return factory.params();
  }

  /**
   * Freezes every parameter and attaches LoRA adapters to the targeted Linears of the blocks; call
   * once, outside any step, before creating the optimizer.
   */
  public List<LoraAdapter> enableLora(LoraSettings s) {
    if (!s.enabled()) {
      throw new IllegalArgumentException("LoRA settings with rank 0 enable nothing");
    }
    if (!adapters.isEmpty()) {
      throw new IllegalStateException("LoRA is already enabled on this model");
    }
    factory.params().forEach(p -> p.setTrainable(false));
    for (Linear l : List.copyOf(factory.linears())) {
      if (s.targets(l.name())) {
        adapters.add(l.attachLora(factory, s.rank(), s.alpha()));
      }
    }
    if (adapters.isEmpty()) {
      throw new IllegalArgumentException("LoRA targets " + s.targets() + " match no Linear");
    }
    return List.copyOf(adapters);
  }

  public List<LoraAdapter> loraAdapters() {
    return List.copyOf(adapters);
  }

  /** Writes the LoRA adapters alone (not the base weights). */
  public void writeLora(DataOutput out) throws IOException {
    out.writeInt(adapters.size());
    for (LoraAdapter a : adapters) {
      a.write(out);
    }
  }

  /** Loads adapters written by {@link #writeLora} into this model's (same targets and ranks). */
  public void readLora(DataInput in) throws IOException {
    int n = in.readInt();
    if (n != adapters.size()) {
      throw new IOException("LoRA stream has " + n + " adapters, this model " + adapters.size());
    }
    for (LoraAdapter a : adapters) {
      a.read(in);
    }
  }
}
