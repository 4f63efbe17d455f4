/**
 * Matrix products on the GPU for training and inference: bf16 x bf16 in the three layouts of a
 * linear layer's step (forward, dgrad, wgrad), bf16 x NVFP4 (W4A16) and NVFP4 x NVFP4 (W4A4), with
 * fp32 accumulation, fp32 or bf16 output and an epilogue (alpha, per-column bias, accumulate).
 * {@link org.longspark.kernels.gemm.GemmKernels} launches the CUDA kernels of
 * {@code gemm_wgmma.cu} and {@code gemm_skinny.cu} over device buffers, stream-ordered;
 * {@link org.longspark.kernels.gemm.GemmReference} is the CPU twin the tests compare against. For
 * decode (m <= 16), {@link org.longspark.kernels.gemm.GemmKernels#bitPlace} makes a one-time copy
 * of an NVFP4 weight matrix in the small-M kernel's faster code order
 * ({@link org.longspark.kernels.gemm.Nvfp4BitPlacement}; rows paired for NVFP4 activations:
 * {@link org.longspark.kernels.gemm.Nvfp4CodeOrder#fastestBitPlacedFor}); keep the codec-order
 * operand for m > 16.
 * Kernel design and measured numbers: {@code docs/kernels-gemm.md}, {@code docs/benchmarks.md}.
 */
package org.longspark.kernels.gemm;
