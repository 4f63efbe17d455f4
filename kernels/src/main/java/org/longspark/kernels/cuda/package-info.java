/**
 * The CUDA runtime of longspark over JCuda's driver API: device selection and primary contexts,
 * kernel modules compiled at build time, device buffers with explicit release, streams and events.
 */
package org.longspark.kernels.cuda;
