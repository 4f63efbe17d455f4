/**
 * Matrix products on the GPU for training and inference: bf16 x bf16 in the three layouts of a
 * linear layer's step (forward, dgrad, wgrad), bf16 x NVFP4 (W4A16) and NVFP4 x NVFP4 (W4A4), with
 * fp32 accumulation, fp32 or bf16 output and an epilogue (alpha, per-column bias, accumulate).
 * {@link org.longspark.kernels.gemm.GemmKernels} launches the CUDA kernels of
 * {@code gemm_wgmma.cu} and {@code gemm_skinny.cu} over device buffers, stream-ordered;
 * {@link org.longspark.kernels.gemm.GemmReference} is the CPU twin the tests compare against.
 * Kernel design and measured numbers: {@code docs/kernels-gemm.md}, {@code docs/benchmarks.md}.
 */
package org.longspark.kernels.gemm;
