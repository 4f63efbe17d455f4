/**
 * SP-aware chunked VAE encoding: the causal encoder's temporal geometry and each rank's raw-frame
 * window (its frames plus the halo its first latents need).
 */
package org.longspark.barrier.vae;
