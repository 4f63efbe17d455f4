package org.longspark.model.dit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a causal video DiT, read from a preset in {@code conf/model/} and validated once here
 * (errors name the key). Inner code only sees this typed record.
 */
public record ModelConfig(String name, int dim, int ffnDim, int heads, int layers,
    int latentChannels, int[] vaeStride, int freqDim, double eps, double ropeTheta,
    TextConfig text) {

  /** Where the text context comes from and its shape. */
  public record TextConfig(TextEncoderKind encoder, int dim, int maxTokens, int vocab, int layers,
      int heads, int ffnDim) {}

  public enum TextEncoderKind {
    BUILTIN,
    PRECOMPUTED
  }

  public int headDim() {
    return dim / heads;
  }

  /** Features of one 1x2x2 latent patch. */
  public int patchFeatures() {
    return latentChannels * 4;
  }

  /** Loads {@code conf/model/<preset>.conf} from the class path. */
  public static ModelConfig preset(String preset) {
    String resource = "conf/model/" + preset + ".conf";
    Config c;
    try {
      c = ConfigFactory.parseResources(ModelConfig.class.getClassLoader(), resource,
          ConfigParseOptions.defaults().setAllowMissing(false));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("unknown model preset '" + preset + "' (" + resource
          + "): " + e.getMessage(), e);
    }
    return fromConfig(c.resolve());
  }

  /** Validates the {@code model} section of a config. */
  public static ModelConfig fromConfig(Config root) {
    Config m = section(root, "model");
    String name = m.hasPath("name") ? m.getString("name") : "unnamed";
    int dim = positive(m, "model", "dim");
    int heads = positive(m, "model", "heads");
    if (dim % heads != 0) {
      throw bad("model.heads", heads, "must divide model.dim = " + dim);
    }
    int headDim = dim / heads;
    if (headDim % 2 != 0 || headDim < 6) {
      throw bad("model.heads", heads, "gives head dim " + headDim + "; RoPE needs even and >= 6");
    }
    int freqDim = positive(m, "model", "freq-dim");
    if (freqDim % 2 != 0) {
      throw bad("model.freq-dim", freqDim, "must be even");
    }
    List<Integer> stride = get(m, "model.vae-stride", () -> m.getIntList("vae-stride"));
    if (stride.size() != 3 || stride.stream().anyMatch(s -> s < 1)) {
      throw bad("model.vae-stride", stride, "must be three positive integers [t, h, w]");
    }
    double eps = get(m, "model.eps", () -> m.getDouble("eps"));
    if (!(eps > 0)) {
      throw bad("model.eps", eps, "must be > 0");
    }
    double theta = get(m, "model.rope-theta", () -> m.getDouble("rope-theta"));
    return new ModelConfig(name, dim, positive(m, "model", "ffn-dim"), heads,
        positive(m, "model", "layers"), positive(m, "model", "latent-channels"),
        stride.stream().mapToInt(Integer::intValue).toArray(), freqDim, eps, theta,
        text(section(m, "text")));
  }

  private static TextConfig text(Config t) {
    String kind = get(t, "model.text.encoder", () -> t.getString("encoder"));
    TextEncoderKind k;
    try {
      k = TextEncoderKind.valueOf(kind.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw bad("model.text.encoder", kind, "must be builtin or precomputed");
    }
    int dim = positive(t, "model.text", "dim");
    int maxTokens = positive(t, "model.text", "max-tokens");
    if (k == TextEncoderKind.PRECOMPUTED) {
      return new TextConfig(k, dim, maxTokens, 0, 0, 0, 0);
    }
    int heads = positive(t, "model.text", "heads");
    if (dim % heads != 0) {
      throw bad("model.text.heads", heads, "must divide model.text.dim = " + dim);
    }
    return new TextConfig(k, dim, maxTokens, positive(t, "model.text", "vocab"),
        positive(t, "model.text", "layers"), heads, positive(t, "model.text", "ffn-dim"));
  }

  private static Config section(Config c, String key) {
    if (!c.hasPath(key)) {
      throw new IllegalArgumentException("missing config section '" + key + "'");
    }
    return c.getConfig(key);
  }

  private static int positive(Config c, String prefix, String key) {
    int v = get(c, prefix + "." + key, () -> c.getInt(key));
    if (v <= 0) {
      throw bad(prefix + "." + key, v, "must be > 0");
    }
    return v;
  }

  private static <T> T get(Config c, String fullKey, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      throw new IllegalArgumentException("config key " + fullKey + ": " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException bad(String key, Object value, String why) {
    return new IllegalArgumentException("config key " + key + " = " + value + ": " + why);
  }
}
