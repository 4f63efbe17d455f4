package org.longspark.barrier.sp;

import org.longspark.barrier.comm.Communicator;

/**
 * The world's ranks as D = world / P data-parallel replicas of one SP group each: SP group g is
 * world ranks [gP, (g+1)P) (they share a clip); the data-parallel group of SP rank s is the ranks
 * {s, P + s, 2P + s, ...} (they hold the same frames of different clips).
 */
public final class ParallelGroups {
  private final Communicator world;
  private final Communicator sp;
  private final Communicator dp;
  private final int spDegree;

  private ParallelGroups(Communicator world, Communicator sp, Communicator dp, int spDegree) {
    this.world = world;
    this.sp = sp;
    this.dp = dp;
    this.spDegree = spDegree;
  }

  /** Splits {@code world} (every rank calls this with the same degree). */
  public static ParallelGroups of(Communicator world, int spDegree) {
    int n = world.size();
    if (spDegree < 1 || n % spDegree != 0) {
      throw new IllegalArgumentException("SP degree " + spDegree + " must divide the world size "
          + n);
    }
    int me = world.rank();
    int base = me / spDegree * spDegree;
    int[] spRanks = new int[spDegree];
    for (int i = 0; i < spDegree; i++) {
      spRanks[i] = base + i;
    }
    int[] dpRanks = new int[n / spDegree];
    for (int i = 0; i < dpRanks.length; i++) {
      dpRanks[i] = i * spDegree + me % spDegree;
    }
    return new ParallelGroups(world, world.group(spRanks), world.group(dpRanks), spDegree);
  }

  public Communicator world() {
    return world;
  }

  public Communicator sp() {
    return sp;
  }

  public Communicator dp() {
    return dp;
  }

  public int spDegree() {
    return spDegree;
  }

  public int dpDegree() {
    return world.size() / spDegree;
  }

  /** This rank's place in its SP group. */
  public int spRank() {
    return sp.rank();
  }

  /** Which SP group (data-parallel replica) this rank belongs to. */
  public int dpRank() {
    return dp.rank();
  }
}
