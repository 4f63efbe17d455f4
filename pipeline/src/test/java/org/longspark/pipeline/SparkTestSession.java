package org.longspark.pipeline;

import org.apache.spark.sql.SparkSession;

/**
 * One real local Spark session for all pipeline tests in the JVM, bound to 127.0.0.1. The CLI
 * reuses a running session and leaves it running.
 */
final class SparkTestSession {
    private static SparkSession session;

    private SparkTestSession() {
    }

    static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("longspark-test")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .getOrCreate();
        }
        return session;
    }
}
