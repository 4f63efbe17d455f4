package org.longspark.model.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.longspark.kernels.nvfp4.Nvfp4ScaleRule;
import org.longspark.model.dit.LoraSettings;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.LinearPrecision;

/**
 * AR tuning settings, the {@code train} section over the defaults in
 * {@code conf/train/ar-tuning.conf}; validated once here, errors name the key.
 */
public record TrainConfig(long seed, int chunkFrames, int windowFrames, int sinkFrames,
    double flowShift, AdamW.Settings adamw, double gradClip, double emaDecay,
    PrecisionMode precision, Nvfp4ScaleRule scaleRule, List<String> fullPrecisionLayers,
    LoraSettings lora) {

  public enum PrecisionMode {
    FP32,
    NVFP4
  }

  /** The precision policy for the model's Linears. */
  public PrecisionPolicy precisionPolicy() {
    if (precision == PrecisionMode.FP32) {
      return PrecisionPolicy.FULL;
    }
    return new PrecisionPolicy(new LinearPrecision.Nvfp4(scaleRule), fullPrecisionLayers);
  }

  private static final String DEFAULTS = "conf/train/ar-tuning.conf";

  public static TrainConfig defaults() {
    return fromConfig(ConfigFactory.empty());
  }

  /** Parses HOCON text (e.g. "train.lr = 3e-3") over the defaults. */
  public static TrainConfig parse(String hocon) {
    return fromConfig(ConfigFactory.parseString(hocon));
  }

  public static TrainConfig fromConfig(Config user) {
    Config defaults = ConfigFactory.parseResources(TrainConfig.class.getClassLoader(), DEFAULTS,
        ConfigParseOptions.defaults().setAllowMissing(false));
    Config t = user.withFallback(defaults).resolve().getConfig("train");
    int chunk = read("train.chunk-frames", () -> t.getInt("chunk-frames"));
    int window = read("train.window-frames", () -> t.getInt("window-frames"));
    int sink = read("train.sink-frames", () -> t.getInt("sink-frames"));
    require(chunk >= 1, "train.chunk-frames", chunk, "must be >= 1");
    require(window == 0 || window >= chunk, "train.window-frames", window,
        "must be 0 or >= chunk-frames (" + chunk + ")");
    require(sink >= 0, "train.sink-frames", sink, "must be >= 0");
    double shift = read("train.flow-shift", () -> t.getDouble("flow-shift"));
    require(shift > 0, "train.flow-shift", shift, "must be > 0");
    List<Double> betas = read("train.betas", () -> t.getDoubleList("betas"));
    require(betas.size() == 2, "train.betas", betas, "must be [beta1, beta2]");
    AdamW.Settings adamw;
    try {
      adamw = new AdamW.Settings(read("train.lr", () -> t.getDouble("lr")), betas.get(0),
          betas.get(1), read("train.eps", () -> t.getDouble("eps")),
          read("train.weight-decay", () -> t.getDouble("weight-decay")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("config keys train.lr/betas/eps/weight-decay: "
          + e.getMessage(), e);
    }
    double clip = read("train.grad-clip", () -> t.getDouble("grad-clip"));
    require(clip > 0, "train.grad-clip", clip, "must be > 0");
    double ema = read("train.ema-decay", () -> t.getDouble("ema-decay"));
    require(ema >= 0 && ema < 1, "train.ema-decay", ema, "must be in [0, 1)");
    String mode = read("train.precision.mode", () -> t.getString("precision.mode"));
    PrecisionMode pm;
    try {
      pm = PrecisionMode.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "config key train.precision.mode = " + mode + ": must be fp32 or nvfp4", e);
    }
    String rule = read("train.precision.scale-rule", () -> t.getString("precision.scale-rule"));
    Nvfp4ScaleRule scaleRule;
    try {
      scaleRule = Nvfp4ScaleRule.valueOf(rule.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("config key train.precision.scale-rule = " + rule
          + ": must be STATIC_6 or FOUR_OVER_SIX", e);
    }
    List<String> full = read("train.precision.full-precision-layers",
        () -> t.getStringList("precision.full-precision-layers"));
    int loraRank = read("train.lora.rank", () -> t.getInt("lora.rank"));
    require(loraRank >= 0, "train.lora.rank", loraRank, "must be >= 0 (0 = off)");
    double loraAlpha = read("train.lora.alpha", () -> t.getDouble("lora.alpha"));
    require(loraAlpha > 0, "train.lora.alpha", loraAlpha, "must be > 0");
    List<String> loraTargets = read("train.lora.targets", () -> t.getStringList("lora.targets"));
    require(loraRank == 0 || !loraTargets.isEmpty(), "train.lora.targets", loraTargets,
        "must name at least one layer kind when lora.rank > 0");
    return new TrainConfig(read("train.seed", () -> t.getLong("seed")), chunk, window, sink,
        shift, adamw, clip, ema, pm, scaleRule, List.copyOf(full),
        new LoraSettings(loraRank, loraAlpha, loraTargets));
  }

  private static <T> T read(String key, Supplier<T> s) {
    try {
      return s.get();
    } catch (ConfigException e) {
      throw new IllegalArgumentException("config key " + key + ": " + e.getMessage(), e);
    }
  }

  private static void require(boolean ok, String key, Object value, String why) {
    if (!ok) {
      throw new IllegalArgumentException("config key " + key + " = " + value + ": " + why);
    }
  }
}
