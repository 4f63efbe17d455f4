package org.longspark.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/**
 * Programmatic dependent launch (Hopper and later): {@code cuLaunchKernelEx} with programmatic
 * stream serialization, through a small JNI shim ({@code src/main/native}) since JCuda 12.6 does
 * not wrap that call. A kernel so launched may start while the kernels before it in its stream are
 * still running, once each of their CTAs has executed {@code griddepcontrol.launch_dependents} (or
 * exited); it must execute {@code griddepcontrol.wait} before it touches memory they read or write.
 * In a chain of such kernels each one's start (CTA launch, setup) overlaps the previous one's tail.
 *
 * <p>Unavailable (then {@link CudaKernel} launches plainly) when the shim was not built, on a
 * platform other than Linux x86-64, with a driver without {@code cuLaunchKernelEx}, or with
 * {@code -Dlongspark.cuda.dependentLaunch=false}; {@link #unavailableReason()} says which.
 */
public final class DependentLaunch {
  static final String LIBRARY = "liblongspark_cuda_launch.so";
  static final String RESOURCE = "/org/longspark/kernels/cuda/native/" + LIBRARY;
  private static final String UNAVAILABLE = load();

  private DependentLaunch() {}

  /** Whether launches with programmatic stream serialization are possible in this JVM. */
  public static boolean available() {
    return UNAVAILABLE == null;
  }

  /** Why {@link #available()} is false, or null. */
  public static String unavailableReason() {
    return UNAVAILABLE;
  }

  /** Launches {@code function}; kernel parameters as 64-bit slots (CudaKernel.slot). Returns the CUresult. */
  static int launch(CUfunction function, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
      CUstream stream, long[] slots) {
    if (!available()) {
      throw new IllegalStateException("programmatic dependent launch unavailable: " + UNAVAILABLE);
    }
    return launch0(NativeHandles.handle(function), gx, gy, gz, bx, by, bz, sharedBytes,
        NativeHandles.handle(stream), slots);
  }

  private static String load() {
    if (!Boolean.parseBoolean(System.getProperty("longspark.cuda.dependentLaunch", "true"))) {
      return "turned off by -Dlongspark.cuda.dependentLaunch=false";
    }
    if (!"Linux".equals(System.getProperty("os.name")) || !"amd64".equals(System.getProperty("os.arch"))) {
      return "the launch shim is built for Linux x86-64 only";
    }
    try (InputStream in = DependentLaunch.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "the launch shim " + RESOURCE + " is not on the class path (built without nvcc)";
      }
      Path file = Files.createTempFile("longspark_cuda_launch", ".so");
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      System.load(file.toString());
      return probe0() == 0 ? null : "libcuda.so.1 with cuLaunchKernelEx not found (no CUDA driver, or one older than CUDA 11.8)";
    } catch (IOException | UnsatisfiedLinkError e) {
      return "the launch shim did not load: " + e.getMessage();
    }
  }

  private static native int probe0();

  private static native int launch0(long function, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
      long stream, long[] slots);
}
