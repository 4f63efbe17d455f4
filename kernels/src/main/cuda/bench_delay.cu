// A kernel that keeps the GPU busy for a given time. Benchmarks launch it before a timed batch so
// that the host can enqueue the whole batch while the GPU waits: the batch then runs back to back
// and the events measure device time, not Java's launch cost (GemmBench). Tests use it the same way
// to make a chain of short kernels run back to back (GemmKernelsGpuTest's dependent-launch chain).
#include <stdint.h>

extern "C" __global__ void bench_delay(long long nanoseconds) {
  uint64_t start;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  for (;;) {
    uint64_t now;
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
    if (now - start >= static_cast<uint64_t>(nanoseconds)) break;
    __nanosleep(10000);
  }
}
