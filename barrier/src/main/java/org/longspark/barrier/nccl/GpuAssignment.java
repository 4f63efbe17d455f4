package org.longspark.barrier.nccl;

import java.util.OptionalInt;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.longspark.kernels.cuda.CudaDevice;
import scala.Option;

/**
 * Which GPU a rank uses: the first address Spark assigned to the task (spark.task.resource.gpu
 * .amount with a discovery script), else the rank modulo the visible devices (one rank per GPU in
 * one process, as in tests and benchmarks).
 */
public final class GpuAssignment {
  private GpuAssignment() {}

  /** The device ordinal for this rank. */
  public static int ordinal(int rank) {
    OptionalInt fromSpark = sparkTaskGpu();
    if (fromSpark.isPresent()) {
      return fromSpark.getAsInt();
    }
    int count = CudaDevice.count();
    if (count == 0) {
      throw new IllegalStateException("rank " + rank + ": no CUDA device visible: "
          + CudaDevice.unavailableReason().orElse("unknown reason"));
    }
    return rank % count;
  }

  private static OptionalInt sparkTaskGpu() {
    try {
      return SparkTask.gpu();
    } catch (NoClassDefFoundError e) {
      return OptionalInt.empty(); // Spark is not on the class path: not inside a Spark task
    }
  }

  /** Touches Spark's classes only when called, so that GPU-only processes need no Spark jars. */
  private static final class SparkTask {
    static OptionalInt gpu() {
      TaskContext task = TaskContext.get();
      if (task == null) {
        return OptionalInt.empty();
      }
      Option<ResourceInformation> gpu = task.resources().get("gpu");
      if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
        return OptionalInt.empty();
      }
      String address = gpu.get().addresses()[0];
      try {
        return OptionalInt.of(Integer.parseInt(address.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Spark assigned GPU address '" + address + "' to task "
            + task.taskAttemptId() + "; expected a device ordinal (check the GPU discovery script)", e);
      }
    }
  }
}
