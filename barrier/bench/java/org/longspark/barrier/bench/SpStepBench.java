package org.longspark.barrier.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.longspark.barrier.comm.RendezvousServer;
import org.longspark.barrier.comm.TcpCommunicator;
import org.longspark.barrier.comm.TcpOptions;
import org.longspark.barrier.comm.TcpRendezvous;
import org.longspark.barrier.sp.BalancedSpLayout;
import org.longspark.barrier.sp.BalancedSpShard;
import org.longspark.barrier.sp.ExchangeStats;
import org.longspark.barrier.sp.ParallelGroups;
import org.longspark.barrier.sp.PayloadCompression;
import org.longspark.model.TinyModels;
import org.longspark.model.dit.ModelConfig;
import org.longspark.model.dit.VideoModel;
import org.longspark.model.nn.Param;
import org.longspark.model.nn.ParamFactory;
import org.longspark.model.nn.PrecisionPolicy;
import org.longspark.model.tensor.Backend;
import org.longspark.model.tensor.cpu.CpuBackend;
import org.longspark.model.train.TeacherForcingTrainer;
import org.longspark.model.train.TrainConfig;
import org.longspark.model.train.TrainingBatch;

/**
 * Balanced-SP training steps with one process per rank (ranks meet through a
 * {@link RendezvousServer} of this launcher and talk over loopback TCP). Per rank and for
 * SP = 1, 2, 4 on the same clip: the peak memory of forward + backward + gradient all-reduce (the
 * activations, which Balanced SP divides), and of a whole optimizer step (adding the gradient
 * clipping, AdamW and EMA temporaries, which do not depend on the sequence), each measured as the
 * rise of the resident set: VmHWM after the work, with the high-water mark reset just before it,
 * minus VmRSS at that moment. Then SP = 4 with NVFP4 payloads against SP = 4 without, same step
 * and seeds: wire bytes, ratio and error of the compressed payloads, and the loss difference.
 *
 * <p>The rank processes run with a fixed, pre-touched Java heap (so heap growth is not counted)
 * and glibc's mmap threshold fixed at 64 KiB (tensors are mapped and unmapped one by one, so the
 * resident set follows the live tensors instead of a malloc arena that keeps freed memory). The
 * CPU backend frees a step's tensors when the step closes, so these peaks include every
 * temporary of the step, not only what the backward keeps.
 *
 * <p>Usage: {@code SpStepBench [preset=small] [latent frames=16] [latent size=16]}.
 */
public final class SpStepBench {
  private static final String RESULT = "RESULT ";

  private SpStepBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("rank")) {
      rank(args);
      return;
    }
    String preset = args.length > 0 ? args[0] : "small";
    int frames = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int size = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    ModelConfig mc = ModelConfig.preset(preset);
    int tokens = 2 * frames * (size / 2) * (size / 2);
    System.out.printf("SP step: model %s (dim %d, %d heads, %d layers), clip of %d latent frames "
        + "%dx%d, chunk 2, %d tokens in [clean ; noisy]; one process per rank, %d cores%n",
        preset, mc.dim(), mc.heads(), mc.layers(), frames, size, size, tokens,
        Runtime.getRuntime().availableProcessors());
    System.out.println();
    System.out.println("| SP | compression | forward+backward peak MiB, max rank (all ranks) | "
        + "vs SP=1 | whole step peak MiB, max rank | vs SP=1 | step s (slowest rank) | loss |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    double single = 0;
    double singleStep = 0;
    List<String> lossNone4 = null;
    for (Object[] run : new Object[][] {{1, "NONE"}, {2, "NONE"}, {4, "NONE"}, {4, "NVFP4"}}) {
      int p = (Integer) run[0];
      String compression = (String) run[1];
      List<String[]> rs = launch(p, compression, preset, frames, size);
      double worst = 0;
      double worstStep = 0;
      double slowest = 0;
      StringBuilder peaks = new StringBuilder();
      for (String[] r : rs) {
        double peak = Double.parseDouble(r[1]);
        worst = Math.max(worst, peak);
        worstStep = Math.max(worstStep, Double.parseDouble(r[3]));
        slowest = Math.max(slowest, Double.parseDouble(r[4]));
        peaks.append(peaks.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f",
            peak));
      }
      if (p == 1) {
        single = worst;
        singleStep = worstStep;
      }
      System.out.printf(Locale.ROOT, "| %d | %s | %.0f (%s) | %.2f | %.0f | %.2f | %.2f | %s |%n",
          p, compression, worst, peaks, worst / single, worstStep, worstStep / singleStep,
          slowest, rs.get(0)[5]);
      if (compression.equals("NONE") && p == 4) {
        lossNone4 = List.of(rs.get(0)[5]);
      }
      if (compression.equals("NVFP4")) {
        String[] r = rs.get(0);
        double loss = Double.parseDouble(r[5]);
        double plain = Double.parseDouble(lossNone4.get(0));
        System.out.printf(Locale.ROOT, "%nNVFP4 payloads at SP=4 (rank 0, one step): %s "
            + "elements in %s bytes, %.4fx smaller than BF16 (%.4fx than float32), relative "
            + "RMS error %.4f; backward exchanges stay float32; loss %.6f vs %.6f uncompressed "
            + "(%.2e relative)%n", r[6], r[7], Double.parseDouble(r[8]),
            Double.parseDouble(r[9]), Double.parseDouble(r[10]), loss, plain,
            Math.abs(loss - plain) / plain);
      }
    }
  }

  /** Starts P rank processes and returns their RESULT fields in rank order. */
  private static List<String[]> launch(int p, String compression, String preset, int frames,
      int size) throws Exception {
    try (RendezvousServer server = RendezvousServer.start("127.0.0.1", p,
        Duration.ofMinutes(10))) {
      List<Process> procs = new ArrayList<>();
      for (int r = 0; r < p; r++) {
        List<String> cmd = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1",
            "-cp", System.getProperty("java.class.path"), SpStepBench.class.getName(), "rank",
            String.valueOf(server.port()), String.valueOf(r), String.valueOf(p), compression,
            preset, String.valueOf(frames), String.valueOf(size)));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MALLOC_MMAP_THRESHOLD_", "65536");
        pb.environment().put("MALLOC_TRIM_THRESHOLD_", "131072");
        procs.add(pb.start());
      }
      List<String[]> results = new ArrayList<>();
      for (int r = 0; r < p; r++) {
        String result = null;
        StringBuilder log = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
            procs.get(r).getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith(RESULT)) {
              result = line.substring(RESULT.length());
            } else {
              log.append(line).append('\n');
            }
          }
        }
        int rc = procs.get(r).waitFor();
        if (rc != 0 || result == null) {
          throw new IllegalStateException("rank " + r + " of SP=" + p + " exited " + rc + ":\n"
              + log);
        }
        results.add(result.split(" "));
      }
      return results;
    }
  }

  /** One rank: warm-up step, then the measured step. */
  private static void rank(String[] a) throws Exception {
    int port = Integer.parseInt(a[1]);
    int rank = Integer.parseInt(a[2]);
    int p = Integer.parseInt(a[3]);
    PayloadCompression compression = PayloadCompression.valueOf(a[4]);
    ModelConfig mc = ModelConfig.preset(a[5]);
    int frames = Integer.parseInt(a[6]);
    int size = Integer.parseInt(a[7]);
    Duration timeout = Duration.ofMinutes(10);
    try (TcpRendezvous rv = TcpRendezvous.connect("127.0.0.1", port, rank, p, timeout);
        TcpCommunicator comm = TcpCommunicator.connect(rv, TcpOptions.loopback(timeout));
        CpuBackend be = new CpuBackend()) {
      VideoModel model = VideoModel.build(mc, ParamFactory.allocating(be, 1),
          PrecisionPolicy.FULL);
      ParallelGroups groups = ParallelGroups.of(comm, p);
      BalancedSpShard shard = new BalancedSpShard(groups, mc.heads(), compression);
      TeacherForcingTrainer trainer = new TeacherForcingTrainer(be, model,
          TrainConfig.parse("train { chunk-frames = 2, lr = 1e-3 }"), shard);
      int channels = mc.latentChannels();
      TrainingBatch clip = TinyModels.syntheticBatch(1, channels, frames, size, size, 3);
      BalancedSpLayout layout = new BalancedSpLayout(frames, 2, (size / 2) * (size / 2),
          mc.heads(), p);
      TrainingBatch local = new TrainingBatch(layout.localLatents(clip.latents(), 1, channels,
          size, size, rank), 1, channels, layout.framesPerRank(), size, size, clip.text());
      trainer.step(local, 7); // warm-up: the persistent layout tensors are built here
      // forward + backward + gradient all-reduce alone, in a step scope of its own
      double forwardBackwardPeak;
      try (Backend.Step scope = be.openStep()) {
        long rss = resetPeak(comm);
        trainer.lossAndGradients(local, 7);
        forwardBackwardPeak = (status("VmHWM") - rss) / 1024.0;
        model.params().forEach(Param::clearGrad);
      }
      ExchangeStats before = shard.exchangeStats();
      long rss = resetPeak(comm);
      long t0 = System.nanoTime();
      TeacherForcingTrainer.StepResult r = trainer.step(local, 7);
      double secs = (System.nanoTime() - t0) / 1e9;
      long hwm = status("VmHWM");
      ExchangeStats ex = shard.exchangeStats();
      long elements = ex.compressedElements() - before.compressedElements();
      long bytes = ex.compressedPayloadBytes() - before.compressedPayloadBytes();
      double err = ex.squaredError() - before.squaredError();
      double signal = ex.squaredSignal() - before.squaredSignal();
      System.out.printf(Locale.ROOT, "%s%d %.1f %d %.1f %.3f %.6f %d %d %.4f %.4f %.4f%n", RESULT,
          rank, forwardBackwardPeak, hwm, (hwm - rss) / 1024.0, secs, r.loss(), elements, bytes,
          bytes == 0 ? 0 : 2.0 * elements / bytes, bytes == 0 ? 0 : 4.0 * elements / bytes,
          signal == 0 ? 0 : Math.sqrt(err / signal));
    }
  }

  /** Lines the ranks up, then resets the resident high-water mark; returns VmRSS (kB). */
  private static long resetPeak(TcpCommunicator comm) throws IOException {
    comm.barrier();
    System.gc();
    long rss = status("VmRSS");
    Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // VmHWM := VmRSS
    return rss;
  }

  /** A /proc/self/status field in kB. */
  private static long status(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
      }
    }
    throw new IllegalStateException("no " + field + " in /proc/self/status");
  }
}
