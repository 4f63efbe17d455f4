package org.longspark.barrier.spark;

import org.longspark.barrier.comm.Communicator;

/**
 * A barrier task's place in the job: its rank (the partition id), the number of ranks, which
 * attempt of the barrier stage this is (0 first; a retried attempt resumes from the last committed
 * checkpoint), and the communicator connecting it to the other ranks of this attempt.
 */
public record RankContext(int rank, int size, int stageAttempt, Communicator communicator) {}
