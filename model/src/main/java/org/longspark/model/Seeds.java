package org.longspark.model;

import java.util.SplittableRandom;

/** Deterministic seed derivation: every random draw in training comes from (seed, purpose, index). */
public final class Seeds {
  private Seeds() {}

  /** SplitMix64's finalizer: a cheap bijective mix of 64 bits. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A seed for one purpose at one index (step, layer, sample) derived from a base seed. */
  public static long derive(long base, long purpose, long index) {
    return mix(mix(base ^ mix(purpose)) + index);
  }

  public static long ofName(String name) {
    long h = 1125899906842597L;
    for (int i = 0; i < name.length(); i++) {
      h = 31 * h + name.charAt(i);
    }
    return mix(h);
  }

  /** A standard normal draw (Box-Muller), so results do not depend on java.util.Random's state. */
  public static double gaussian(SplittableRandom rnd) {
    double u1 = rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Advances {@code rnd} past n draws of {@link #gaussian} (two doubles each), computing none. */
  public static void skipGaussians(SplittableRandom rnd, long n) {
    for (long i = 0; i < 2 * n; i++) {
      rnd.nextDouble();
    }
  }
}
