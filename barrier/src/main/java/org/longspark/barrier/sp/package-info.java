/**
 * Balanced sequence parallelism: the layout of a clip's frames over an SP group
 * ({@link org.longspark.barrier.sp.BalancedSpLayout}), Ulysses attention
 * ({@link org.longspark.barrier.sp.UlyssesAttention}), gradient all-reduce over SP and
 * data-parallel groups, and the {@link org.longspark.barrier.sp.BalancedSpShard} that plugs them
 * into the model's teacher-forcing trainer.
 */
package org.longspark.barrier.sp;
