package org.longspark.model.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Times one training step of a {@code small} DiT block, ours (explicit backward) against DJL autograd
 * on the same weights and inputs, in FP32 and NVFP4, plus our full small-model step. The two
 * implementations alternate step by step so that both run under the same machine load (the build
 * machine is shared); it reports the median and quartiles of per-step wall time.
 *
 * <pre>
 *   mvn -B -ntp -pl model -am -Pstep-bench -DskipTests package
 * </pre>
 * Arguments: [warmup steps] [measured rounds] [precisions, default FP32,NVFP4].
 */
public final class TrainingStepBenchmark {
  private TrainingStepBenchmark() {}

  public static void main(String[] args) {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    System.out.printf("threads: ai.djl.pytorch.num_threads=%s, cores=%d; warmup %d, rounds %d%n",
        System.getProperty("ai.djl.pytorch.num_threads"),
        Runtime.getRuntime().availableProcessors(), warmup, rounds);
    System.out.println("| precision | step | median ms | p25 ms | p75 ms |");
    System.out.println("|---|---|---|---|---|");
    List<String> precisions = args.length > 2 ? List.of(args[2].split(",")) : List.of("FP32",
        "NVFP4");
    for (String precision : precisions) {
      try (BlockStepFixture f = new BlockStepFixture(precision)) {
        for (int i = 0; i < warmup; i++) {
          f.blockStepExplicit();
          f.blockStepExplicitDense();
          f.blockStepAutograd();
          f.modelStepExplicit();
        }
        List<Long> ours = new ArrayList<>();
        List<Long> dense = new ArrayList<>();
        List<Long> autograd = new ArrayList<>();
        List<Long> model = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          ours.add(time(f::blockStepExplicit));
          dense.add(time(f::blockStepExplicitDense));
          autograd.add(time(f::blockStepAutograd));
          model.add(time(f::modelStepExplicit));
        }
        report(precision, "block, explicit backward (ours)", ours);
        report(precision, "block, explicit backward, dense mask (ours)", dense);
        report(precision, "block, DJL autograd", autograd);
        report(precision, "full small model, explicit (ours)", model);
        List<Long> ratio = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          ratio.add(Math.round(1e6 * ours.get(i) / autograd.get(i)));
        }
        long[] r = ratio.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(Locale.ROOT, "| %s | ours / autograd, per round | %.3f | %.3f | %.3f |%n",
            precision, r[r.length / 2] / 1e6, r[r.length / 4] / 1e6, r[(3 * r.length) / 4] / 1e6);
      }
    }
  }

  private static long time(Runnable step) {
    long t0 = System.nanoTime();
    step.run();
    return System.nanoTime() - t0;
  }

  private static void report(String precision, String what, List<Long> nanos) {
    long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f |%n", precision, what,
        s[s.length / 2] / 1e6, s[s.length / 4] / 1e6, s[(3 * s.length) / 4] / 1e6);
  }
}
