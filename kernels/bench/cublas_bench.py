#!/usr/bin/env python3
"""cuBLAS BF16 baseline for GemmBench: times torch.matmul(x, w.t()) (cuBLAS) on the GEMM benchmark
shapes, with the same method as GemmBench: CUDA events, warm-up, median of repeats, inputs rotated
among sets whose total exceeds twice the L2 cache. Writes CSV lines: M,N,K,us.

Run on the GPU machine in the same device call as GemmBench, e.g.
    python3 kernels/bench/cublas_bench.py --out $OUT/cublas.csv
"""
import argparse
import statistics

import torch

# (M, N, K): N=K=8192 with M in {1,16,64,256,1024,8192}; LongLive-2.0 5B with M=7040 tokens.
SHAPES = [(m, 8192, 8192) for m in (1, 16, 64, 256, 1024, 8192)] + [
    (7040, 3072, 3072), (7040, 9216, 3072), (7040, 14336, 3072), (7040, 3072, 14336)]


def time_us(fn, sets, reps=15, batch_ms=2.0):
    for i in range(5):
        fn(i % sets)
    torch.cuda.synchronize()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record(); fn(0); b.record(); b.synchronize()
    iters = max(2, min(200, int(batch_ms / max(a.elapsed_time(b), 1e-3))))
    out = []
    for rep in range(reps):
        a.record()
        for i in range(iters):
            fn((rep * iters + i) % sets)
        b.record(); b.synchronize()
        out.append(a.elapsed_time(b) * 1000.0 / iters)
    return statistics.median(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-m", type=int, default=None, help="only shapes with at most this many rows")
    args = ap.parse_args()
    dev = torch.device("cuda")
    props = torch.cuda.get_device_properties(dev)
    l2 = getattr(props, "L2_cache_size", 50 << 20)
    torch.manual_seed(0)
    rows = []
    for (m, n, k) in SHAPES:
        if args.max_m is not None and m > args.max_m:
            continue
        per_set = 2 * (m * k + n * k)
        sets = min(8, max(2, (2 * l2) // per_set + 1))
        xs = [torch.randn(m, k, device=dev, dtype=torch.bfloat16) for _ in range(sets)]
        ws = [torch.randn(n, k, device=dev, dtype=torch.bfloat16) for _ in range(sets)]
        out = torch.empty(m, n, device=dev, dtype=torch.bfloat16)
        us = time_us(lambda i: torch.matmul(xs[i], ws[i].t(), out=out), sets)
        tflops = 2.0 * m * n * k / us * 1e-6
        print(f"cuBLAS bf16 M={m:5d} N={n:5d} K={k:5d}  {us:10.2f} us  {tflops:7.1f} TFLOP/s", flush=True)
        rows.append((m, n, k, us))
        del xs, ws, out
        torch.cuda.empty_cache()
    with open(args.out, "w") as f:
        f.write(f"# {props.name}, torch {torch.__version__}, cuBLAS via torch.matmul(x, w.t()), bf16 out\n")
        f.write("M,N,K,us\n")
        for r in rows:
            f.write(f"{r[0]},{r[1]},{r[2]},{r[3]:.3f}\n")


if __name__ == "__main__":
    main()
