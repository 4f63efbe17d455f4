package org.longspark.pipeline;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

/** The driver's Hadoop configuration, shipped to tasks (Configuration itself is not Serializable). */
final class HadoopConfSnapshot implements Serializable {
    private static final long serialVersionUID = 1L;

    private final HashMap<String, String> entries = new HashMap<>();

    HadoopConfSnapshot(Configuration conf) {
        for (Map.Entry<String, String> e : conf) {
            entries.put(e.getKey(), e.getValue());
        }
    }

    Configuration toConfiguration() {
        Configuration conf = new Configuration(false);
        entries.forEach(conf::set);
        return conf;
    }
}
