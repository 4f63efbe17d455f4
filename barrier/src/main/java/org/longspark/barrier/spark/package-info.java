/**
 * Spark glue, kept thin: run a rank function on barrier tasks ({@link
 * org.longspark.barrier.spark.BarrierRunner}) with a communicator bootstrapped by one barrier
 * all-gather ({@link org.longspark.barrier.spark.SparkRendezvous}).
 */
package org.longspark.barrier.spark;
