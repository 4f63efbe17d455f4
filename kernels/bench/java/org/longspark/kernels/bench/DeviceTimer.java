package org.longspark.kernels.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.longspark.kernels.cuda.CudaDevice;
import org.longspark.kernels.cuda.CudaEvent;
import org.longspark.kernels.cuda.CudaStream;

/**
 * Median device times of several pieces of stream-ordered work, each bracketed by CUDA events.
 * The pieces run interleaved, round after round, so a baseline and the kernels compared with it
 * see the same clocks and temperature (timed one after the other, the first ran measurably
 * slower on the H100 while it warmed up).
 */
final class DeviceTimer implements AutoCloseable {
  private final CudaStream stream;
  private final CudaEvent start;
  private final CudaEvent end;
  private final Map<String, Runnable> work = new LinkedHashMap<>();

  DeviceTimer(CudaDevice device, CudaStream stream) {
    this.stream = stream;
    this.start = CudaEvent.create(device);
    this.end = CudaEvent.create(device);
  }

  DeviceTimer add(String label, Runnable piece) {
    work.put(label, piece);
    return this;
  }

  /** Median milliseconds per label, in the order added; clears the list afterwards. */
  Map<String, Double> run(int warmup, int rounds) {
    List<Runnable> pieces = new ArrayList<>(work.values());
    for (int i = 0; i < warmup; i++) {
      pieces.forEach(Runnable::run);
    }
    stream.synchronize();
    double[][] ms = new double[pieces.size()][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int p = 0; p < pieces.size(); p++) {
        start.record(stream);
        pieces.get(p).run();
        end.record(stream);
        ms[p][r] = CudaEvent.elapsedMillis(start, end);
      }
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    int p = 0;
    for (String label : work.keySet()) {
      Arrays.sort(ms[p]);
      medians.put(label, ms[p][rounds / 2]);
      p++;
    }
    work.clear();
    return medians;
  }

  @Override
  public void close() {
    start.close();
    end.close();
  }
}
