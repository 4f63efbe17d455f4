package org.longspark.barrier.spark;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A fresh local[4] Spark context bound to 127.0.0.1, as the XGBoost Spark tests build theirs. */
public final class LocalSpark {
  private LocalSpark() {}

  public static JavaSparkContext start(String app, Map<String, String> extra) {
    SparkConf conf = new SparkConf()
        .setMaster("local[4]")
        .setAppName(app)
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.ui.enabled", "false")
        // a rendezvous that cannot complete fails the stage in seconds, not in a year
        .set("spark.barrier.sync.timeout", "60s")
        .set("spark.stage.maxConsecutiveAttempts", "2");
    extra.forEach(conf::set);
    return new JavaSparkContext(conf);
  }
}
