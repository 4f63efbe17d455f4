/**
 * NVFP4: 4-bit E2M1 elements with E4M3 block scales and a float32 global scale. The Java codec
 * here is the bit-exact reference that the CUDA kernels are tested against.
 */
package org.longspark.kernels.nvfp4;
