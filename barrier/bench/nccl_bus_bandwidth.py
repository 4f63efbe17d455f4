#!/usr/bin/env python3
"""Baseline for NcclBusBandwidthBench: torch.distributed with NCCL, one process per GPU, the same
sizes (1 MiB to 1 GiB per rank) and bus-bandwidth formulas (all-reduce x 2(n-1)/n, all-to-all
x (n-1)/n). NVLink multicast stays off (NCCL_NVLS_ENABLE=0). Usage: python3 nccl_bus_bandwidth.py [maxMiB]
"""
import os
import sys

os.environ.setdefault("NCCL_NVLS_ENABLE", "0")
os.environ.setdefault("TORCH_SYMM_MEM_DISABLE_MULTICAST", "1")

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def median_us(fn):
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(20):
        dist.barrier()
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) * 1e3)
    times.sort()
    return times[len(times) // 2]


def worker(rank, world, max_bytes):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = "29517"
    torch.cuda.set_device(rank)
    dist.init_process_group("nccl", rank=rank, world_size=world, device_id=torch.device("cuda", rank))
    a = torch.full((max_bytes // 4,), 1.0, device="cuda")
    b = torch.empty_like(a)
    size = 1 << 20
    while size <= max_bytes:
        n = size // 4
        a2a = median_us(lambda: dist.all_to_all_single(b[:n], a[:n]))
        ar = median_us(lambda: dist.all_reduce(a[:n]))
        if rank == 0:
            for op, us, factor in (("all-to-all", a2a, (world - 1) / world), ("all-reduce", ar, 2 * (world - 1) / world)):
                alg = size / us / 1e3
                print(f"{op:<10} {size:>12} {us:>10.1f} {alg:>12.1f} {alg * factor:>10.1f}", flush=True)
        size <<= 2
    dist.destroy_process_group()


def main():
    max_bytes = (int(sys.argv[1]) if len(sys.argv) > 1 else 1024) << 20
    world = torch.cuda.device_count()
    print(f"torch {torch.__version__}, NCCL {torch.cuda.nccl.version()}, {world} rank(s)")
    print(f"{'op':<10} {'bytes':>12} {'us':>10} {'alg GB/s':>12} {'bus GB/s':>10}")
    mp.spawn(worker, args=(world, max_bytes), nprocs=world, join=True)


if __name__ == "__main__":
    main()
