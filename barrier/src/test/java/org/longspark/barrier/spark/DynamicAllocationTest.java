package org.longspark.barrier.spark;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** A context with dynamic allocation on is refused before any barrier stage is submitted. */
class DynamicAllocationTest {
  @Test
  void barrierTrainingRefusesDynamicAllocation() {
    JavaSparkContext spark = LocalSpark.start("dynamic-allocation-test",
        Map.of("spark.dynamicAllocation.enabled", "true",
            "spark.dynamicAllocation.shuffleTracking.enabled", "true"));
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> BarrierRunner.on(spark, Duration.ofSeconds(10)));
      assertTrue(e.getMessage().contains("spark.dynamicAllocation.enabled=false"),
          e.getMessage());
      assertTrue(spark.sc().statusTracker().getActiveJobIds().length == 0);
    } finally {
      spark.stop();
    }
  }
}
