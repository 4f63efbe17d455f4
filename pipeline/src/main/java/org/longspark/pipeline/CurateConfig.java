package org.longspark.pipeline;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;

import org.longspark.data.CurationSettings;
import org.longspark.data.DecodeLimits;
import org.longspark.data.FrameSpec;
import org.longspark.data.SyntheticDataset;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;

/**
 * The validated configuration of a run: HOCON defaults (conf/longspark.conf, embedded in the jar),
 * overlaid by an optional {@code --conf} file, overlaid by {@code -Dkey=value} pairs. Every
 * problem is reported once, here, naming the key.
 */
public record CurateConfig(String sparkMaster, String appName, Map<String, String> sparkConf,
                           CurationSettings settings, SyntheticDataset.Spec synthetic) {

    public static final String DEFAULTS_RESOURCE = "org/longspark/pipeline/longspark.conf";

    /** Thrown for any configuration problem; the message names the key or file. */
    public static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static CurateConfig load(File confFile, Map<String, String> overrides) {
        Config config = resolve(confFile, overrides);
        try {
            return from(config);
        } catch (ConfigException e) {
            throw new Invalid("bad configuration: " + e.getMessage(), e);
        }
    }

    static Config resolve(File confFile, Map<String, String> overrides) {
        Config defaults = ConfigFactory.parseResources(CurateConfig.class.getClassLoader(), DEFAULTS_RESOURCE,
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config config = defaults;
        if (confFile != null) {
            if (!confFile.isFile()) {
                throw new Invalid("--conf " + confFile + ": no such file", null);
            }
            try {
                config = ConfigFactory.parseFile(confFile, ConfigParseOptions.defaults().setAllowMissing(false))
                        .withFallback(config);
            } catch (ConfigException e) {
                throw new Invalid("--conf " + confFile + ": " + e.getMessage(), e);
            }
        }
        if (overrides != null && !overrides.isEmpty()) {
            try {
                config = ConfigFactory.parseMap(overrides, "-D options").withFallback(config);
            } catch (ConfigException e) {
                throw new Invalid("bad -D option: " + e.getMessage(), e);
            }
        }
        try {
            return config.resolve();
        } catch (ConfigException e) {
            throw new Invalid("bad configuration: " + e.getMessage(), e);
        }
    }

    private static CurateConfig from(Config c) {
        Map<String, String> sparkConf = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : c.getConfig("spark.conf").entrySet()) {
            // Keys like "spark.ui.enabled" are quoted in HOCON; entrySet gives them as paths.
            sparkConf.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
        }
        FrameSpec frames = build("curate.fps/width/height/decoder-threads", () -> new FrameSpec(
                c.getDouble("curate.fps"), c.getInt("curate.width"), c.getInt("curate.height"),
                c.getInt("curate.decoder-threads")));
        DecodeLimits limits = build("curate.limits", () -> new DecodeLimits(c.getInt("curate.limits.min-side"),
                c.getInt("curate.limits.max-side"), c.getDouble("curate.limits.truncation-tolerance")));
        CurationSettings settings = build("curate", () -> new CurationSettings(frames, limits,
                c.getInt("curate.clip.frames"), c.getInt("curate.clip.stride"), c.getDouble("curate.shot-threshold"),
                c.getDouble("curate.filters.min-motion"), c.getDouble("curate.filters.min-luma"),
                c.getDouble("curate.filters.max-luma"), c.getInt("curate.filters.duplicate-bits"),
                c.getInt("curate.clip.max-per-file")));
        SyntheticDataset.Spec synthetic = build("curate.synthetic", () -> new SyntheticDataset.Spec(
                c.getLong("curate.synthetic.seed"), c.getInt("curate.synthetic.videos"),
                c.getInt("curate.synthetic.width"), c.getInt("curate.synthetic.height"),
                c.getInt("curate.synthetic.fps"), c.getInt("curate.synthetic.frames")));
        String master = c.getString("spark.master");
        if (master.isBlank()) {
            throw new Invalid("bad configuration: spark.master is empty", null);
        }
        return new CurateConfig(master, c.getString("spark.app-name"), Map.copyOf(sparkConf), settings, synthetic);
    }

    private interface Builder<T> {
        T build();
    }

    /** Range checks live in the data records; this names the configuration section they came from. */
    private static <T> T build(String section, Builder<T> builder) {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new Invalid("bad configuration in " + section + ": " + e.getMessage(), e);
        }
    }
}
