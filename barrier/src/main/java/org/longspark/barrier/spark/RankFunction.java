package org.longspark.barrier.spark;

import java.io.Serializable;

/** What each barrier task runs once its communicator is up; shipped to the executors. */
@FunctionalInterface
public interface RankFunction<T extends Serializable> extends Serializable {
  T run(RankContext context) throws Exception;
}
