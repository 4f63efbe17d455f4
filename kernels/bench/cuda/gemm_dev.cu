// Developer harness for the GEMM kernels (the llm.c dev/cuda habit): checks every kernel variant
// against a CPU reference and times the variants side by side, without the Java runtime.
// The project's tests and benchmark are the Java ones (GemmKernelsGpuTest, GemmBench); this is for
// kernel work. Build here, run on the GPU machine:
//   nvcc -std=c++17 -O3 -DGEMM_DEV_VARIANTS -gencode=arch=compute_90a,code=sm_90a -I kernels/src/main/cuda \
//        -o gemm_dev kernels/bench/cuda/gemm_dev.cu
//   ./gemm_dev check        # every variant vs the CPU reference (fresh random inputs, poisoned output)
//   ./gemm_dev time         # variants on the benchmark shapes (events, warm-up, median, rotated inputs)
//   ./gemm_dev stamp | msweep | prof | profm | staging   # small-M kernels: clock stamps, M sweep,
//                           # launches for ncu (profm [a4]: M = 1, 8, 9, 16), where the activations' staging time goes
//   ./gemm_dev clusters     # how many small-M clusters of 2 and of 4 CTAs the device runs at once
//   ./gemm_dev ab [rounds]  # bit-placed weights, rows as the codec's against paired rows, alternated
//   ./gemm_dev pdl [rounds] # the production small-M kernels launched plainly and with programmatic
//                           # dependent launch (as GemmKernels launches them), alternated
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gemm_skinny.cu"
#include "gemm_wgmma.cu"

#define CK(x)                                                                                  \
  do {                                                                                         \
    cudaError_t e_ = (x);                                                                      \
    if (e_ != cudaSuccess) {                                                                   \
      std::fprintf(stderr, "%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(1);                                                                            \
    }                                                                                          \
  } while (0)

static std::mt19937_64 rng(1234);

// ---- host formats ----
static float bf16_to_f(uint16_t b) {
  uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
static uint16_t f_to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7FFF + ((u >> 16) & 1);
  return static_cast<uint16_t>(u >> 16);
}
static float e2m1(int code) {
  static const float v[8] = {0.f, .5f, 1.f, 1.5f, 2.f, 3.f, 4.f, 6.f};
  return (code & 8) ? -v[code & 7] : v[code & 7];
}
static float e4m3(int b) {
  int e = (b >> 3) & 15, m = b & 7;
  return e == 0 ? std::ldexp(m / 8.0f, -6) : std::ldexp(1.0f + m / 8.0f, e - 7);
}

struct Fp4 {  // host NVFP4 tensor with random codes and scales
  int rows, cols;
  bool tile;
  std::vector<uint8_t> codes, scales;
  float g;
  Fp4(int r, int c, bool t) : rows(r), cols(c), tile(t) {
    codes.resize(static_cast<size_t>(r) * c / 2);
    scales.resize(static_cast<size_t>(t ? (r + 15) / 16 : r) * (c / 16));
    for (auto& b : codes) b = static_cast<uint8_t>(rng());
    for (auto& s : scales) {
      int e = static_cast<int>(rng() % 16), m = static_cast<int>(rng() % 8);
      int b = (e << 3) | m;
      if (b == 0x7F) b = 0x7E;
      if (rng() % 64 == 0) b = 0;  // an all-zero block now and then
      s = static_cast<uint8_t>(b);
    }
    g = std::ldexp(1.0f + (rng() % 1000) / 1000.0f, -8);
  }
  float at(int r, int c) const {
    int code = (codes[(static_cast<size_t>(r) * cols + c) / 2] >> ((c & 1) * 4)) & 15;
    int s = scales[static_cast<size_t>(tile ? r / 16 : r) * (cols / 16) + c / 16];
    return e2m1(code) * e4m3(s) * g;
  }
};

template <class T>
static T* dev_copy(const std::vector<T>& v) {
  T* p;
  CK(cudaMalloc(&p, v.size() * sizeof(T) + 16));
  CK(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  return p;
}

// ---- reference: D = alpha * sum_k a(m,k) b(n,k) + bias[n] + beta * D0 (double accumulation) ----
template <class FA, class FB>
static std::vector<double> reference(int M, int N, int K, FA a, FB b, float alpha, const std::vector<float>& bias,
                                     float beta, const std::vector<float>& d0) {
  std::vector<float> af(static_cast<size_t>(M) * K), bf(static_cast<size_t>(N) * K);
  for (int m = 0; m < M; ++m)
    for (int k = 0; k < K; ++k) af[static_cast<size_t>(m) * K + k] = a(m, k);
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) bf[static_cast<size_t>(n) * K + k] = b(n, k);
  std::vector<double> out(static_cast<size_t>(M) * N);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double s = 0;
      const float* x = &af[static_cast<size_t>(m) * K];
      const float* y = &bf[static_cast<size_t>(n) * K];
      for (int k = 0; k < K; ++k) s += static_cast<double>(x[k]) * y[k];
      double v = alpha * s + (bias.empty() ? 0.0 : bias[n]);
      if (beta != 0) v += beta * static_cast<double>(d0[static_cast<size_t>(m) * N + n]);
      out[static_cast<size_t>(m) * N + n] = v;
    }
  return out;
}

struct Out {  // output buffer, poisoned (NaN) or pre-filled for beta != 0
  int M, N;
  bool bf16;
  void* dev;
  std::vector<float> d0;
  Out(int m, int n, bool b, float beta) : M(m), N(n), bf16(b) {
    size_t cnt = static_cast<size_t>(m) * n, bytes = cnt * (b ? 2 : 4);
    CK(cudaMalloc(&dev, bytes));
    if (beta == 0) {
      CK(cudaMemset(dev, 0xFF, bytes));  // NaN in both formats: an unwritten element fails the check
      d0.assign(cnt, 0.f);
    } else {
      d0.resize(cnt);
      std::uniform_real_distribution<float> u(-1, 1);
      if (b) {
        std::vector<uint16_t> h(cnt);
        for (size_t i = 0; i < cnt; ++i) {
          h[i] = f_to_bf16(u(rng));
          d0[i] = bf16_to_f(h[i]);
        }
        CK(cudaMemcpy(dev, h.data(), bytes, cudaMemcpyHostToDevice));
      } else {
        for (auto& x : d0) x = u(rng);
        CK(cudaMemcpy(dev, d0.data(), bytes, cudaMemcpyHostToDevice));
      }
    }
  }
  double error(const std::vector<double>& ref) const {
    size_t cnt = static_cast<size_t>(M) * N;
    std::vector<float> got(cnt);
    if (bf16) {
      std::vector<uint16_t> h(cnt);
      CK(cudaMemcpy(h.data(), dev, cnt * 2, cudaMemcpyDeviceToHost));
      for (size_t i = 0; i < cnt; ++i) got[i] = bf16_to_f(h[i]);
    } else {
      CK(cudaMemcpy(got.data(), dev, cnt * 4, cudaMemcpyDeviceToHost));
    }
    double num = 0, den = 0;
    for (size_t i = 0; i < cnt; ++i) {
      double d = got[i] - ref[i];
      num += d * d;
      den += ref[i] * ref[i];
    }
    return std::isfinite(num) ? std::sqrt(num / den) : INFINITY;
  }
  ~Out() { cudaFree(dev); }
};

static std::vector<uint16_t> rand_bf16(size_t n) {
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<uint16_t> v(n);
  for (auto& x : v) x = f_to_bf16(u(rng));
  return v;
}

using BigFn = void (*)(const void*, const void*, const uint8_t*, const uint8_t*, const float*, const float*, void*,
                       const float*, int, int, int, int, int, float, float, int);
using SkFn = void (*)(const void*, const void*, const uint8_t*, const uint8_t*, const float*, const float*, void*,
                      const float*, int, int, int, int, int, int, float, float, int);
struct SkSet {  // one small-M kernel in its split counts (cluster sizes 1, 2, 4)
  SkFn f[3];
  bool pdl = false;  // launched with programmatic stream serialization, as GemmKernels launches them
  SkFn at(int splits) const { return f[splits == 1 ? 0 : splits == 2 ? 1 : 2]; }
};
#define SKSET(n) SkSet{{n##_s1, n##_s2, n##_s4}}
#define SKSET_PDL(n) SkSet{{n##_s1, n##_s2, n##_s4}, true}

// raises a kernel's dynamic shared-memory limit once (not inside timed loops)
static void set_smem(const void* f, int bytes) {
  static std::map<const void*, int> done;
  auto it = done.find(f);
  if (it != done.end() && it->second >= bytes) return;
  CK(cudaFuncSetAttribute(f, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes));
  done[f] = bytes;
}

template <int AK, int BK_, int BN, bool F16>
static int big_smem() {
  return BigLayout<AK, BK_, BN, F16>::BYTES;
}

static void launch_big(BigFn f, int smem, int BN, const void* A, const void* B, const uint8_t* asc, const uint8_t* bsc,
                       const float* ga, const float* gb, void* D, const float* bias, int M, int N, int K, int lda,
                       int ldb, float alpha, float beta, int obf, cudaStream_t st = 0) {
  set_smem(reinterpret_cast<const void*>(f), smem);
  int tiles = ((M + 127) / 128) * ((N + BN - 1) / BN);
  f<<<tiles, 256, smem, st>>>(A, B, asc, bsc, ga, gb, D, bias, M, N, K, lda, ldb, alpha, beta, obf);
  CK(cudaGetLastError());
}

struct SkCfg {
  int splits, kslice;
};
// splits: a power of two up to 8 (the cluster sizes), every slice non-empty
static SkCfg sk_cfg(int N, int K, int splits) {
  int steps = K / 128, s = 1;
  while (s * 2 <= std::min(splits, 4) && s * 2 <= steps) s *= 2;
  for (;; s /= 2) {
    int kslice = ((steps + s - 1) / s) * 128;
    if (s == 1 || (s - 1) * kslice < K) return {s, kslice};
  }
}
static int g_extra_smem = 0;  // msweep: unused dynamic shared memory (a smaller L1)
constexpr int kSkinnyRows = 16 * SKINNY_WARPS / SKINNY_KQ;  // weight rows per CTA
// Dynamic shared memory of a small-M launch (NVFP4 weights: the padded rows, at least what flat ones need)
static int sk_smem(bool bf16b, bool raw_a, int M, int kslice) {
  return skinny_smem(M * (bf16b ? SkinnyB<OP_K16>::row_bytes(kslice) : SkinnyB<OP_FP4_ROW>::row_bytes(kslice)),
                     SKINNY_WARPS, SKINNY_KQ, M, raw_a ? skinny_raw_bytes(M, kslice) : 0);
}
static bool launch_skinny(const SkSet& fs, bool bf16b, const void* A, const void* B, const uint8_t* asc, const uint8_t* bsc,
                          const float* ga, const float* gb, void* D, const float* bias, int M, int N, int K, int lda,
                          int ldb, int splits, float alpha, float beta, int obf, cudaStream_t st = 0) {
  SkCfg c = sk_cfg(N, K, splits);
  int smem = sk_smem(bf16b, asc != nullptr, M, c.kslice) + g_extra_smem;
  if (smem > 227 * 1024) return false;  // A slice does not fit: more splits needed
  SkFn f = fs.at(c.splits);
  set_smem(reinterpret_cast<const void*>(f), smem);
  dim3 grid((N + kSkinnyRows - 1) / kSkinnyRows, c.splits);
  if (fs.pdl) {
    cudaLaunchAttribute at;
    at.id = cudaLaunchAttributeProgrammaticStreamSerialization;
    at.val.programmaticStreamSerializationAllowed = 1;
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = grid;
    cfg.blockDim = dim3(32 * SKINNY_WARPS);
    cfg.dynamicSmemBytes = smem;
    cfg.stream = st;
    cfg.attrs = &at;
    cfg.numAttrs = 1;
    CK(cudaLaunchKernelEx(&cfg, f, A, B, asc, bsc, ga, gb, D, bias, M, N, K, lda, ldb, c.kslice, alpha, beta, obf));
    return true;
  }
  f<<<grid, 32 * SKINNY_WARPS, smem, st>>>(A, B, asc, bsc, ga, gb, D, bias, M, N, K, lda, ldb, c.kslice, alpha, beta, obf);
  CK(cudaGetLastError());
  return true;
}
static int failures = 0;
static void report(const char* name, int M, int N, int K, bool bf16out, double err) {
  double tol = bf16out ? 1e-2 : 1e-5;
  bool ok = err <= tol;
  if (!ok) ++failures;
  std::printf("%-28s M=%5d N=%5d K=%5d out=%s  rel_err=%.3e  %s\n", name, M, N, K, bf16out ? "bf16" : "fp32", err,
              ok ? "ok" : "FAIL");
}

static std::vector<float> rand_bias(int N) {
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> b(N);
  for (auto& x : b) x = u(rng);
  return b;
}

// bf16 x bf16 in three layouts
static void check_bf16(const char* name, BigFn f, int smem, int BN, int layout, int M, int N, int K, bool obf,
                       float alpha, bool with_bias, float beta) {
  // layout 0: A[M][K], B[N][K]; 1: A[M][K], B[K][N]; 2: A[K][M], B[K][N]
  auto ha = rand_bf16(static_cast<size_t>(M) * K), hb = rand_bf16(static_cast<size_t>(N) * K);
  auto bias = with_bias ? rand_bias(N) : std::vector<float>();
  Out out(M, N, obf, beta);
  uint16_t *da = dev_copy(ha), *db = dev_copy(hb);
  float* dbias = with_bias ? dev_copy(bias) : nullptr;
  int lda = layout == 2 ? M : K, ldb = layout == 0 ? K : N;
  launch_big(f, smem, BN, da, db, nullptr, nullptr, nullptr, nullptr, out.dev, dbias, M, N, K, lda, ldb, alpha, beta, obf);
  CK(cudaDeviceSynchronize());
  auto a = [&](int m, int k) { return bf16_to_f(layout == 2 ? ha[static_cast<size_t>(k) * M + m] : ha[static_cast<size_t>(m) * K + k]); };
  auto b = [&](int n, int k) { return bf16_to_f(layout == 0 ? hb[static_cast<size_t>(n) * K + k] : hb[static_cast<size_t>(k) * N + n]); };
  report(name, M, N, K, obf, out.error(reference(M, N, K, a, b, alpha, bias, beta, out.d0)));
  cudaFree(da);
  cudaFree(db);
  if (dbias) cudaFree(dbias);
}

// Codec-order codes [rows][cols / 2] bit-placed on the host, rows paired or not (nvfp4_bitplace).
static std::vector<uint8_t> host_bitplace(const std::vector<uint8_t>& codes, int rows, int cols, bool paired) {
  std::vector<uint8_t> out(codes.size());
  const size_t wpr = cols / 8;
  for (size_t i = 0; i < codes.size() / 4; ++i) {
    uint32_t w;
    std::memcpy(&w, &codes[i * 4], 4);
    w = bitplace_word(w);
    const size_t r = i / wpr, q = i % wpr;
    const size_t o = paired ? (r >> 1) * 2 * wpr + (q >> 4) * 32 + (r & 1) * 16 + (q & 15) : i;
    std::memcpy(&out[o * 4], &w, 4);
  }
  return out;
}

// nvfp4_bitplace against host_bitplace, both orders (odd word counts per row, a partial grid stride).
static void check_bitplace_kernel() {
  const int rows = 48, cols = 384;
  std::vector<uint8_t> codes(static_cast<size_t>(rows) * cols / 2);
  for (auto& c : codes) c = static_cast<uint8_t>(rng());
  uint8_t* din = dev_copy(codes);
  uint8_t* dout;
  CK(cudaMalloc(&dout, codes.size()));
  for (int paired = 0; paired < 2; ++paired) {
    CK(cudaMemset(dout, 0xA5, codes.size()));
    nvfp4_bitplace<<<3, 64>>>(reinterpret_cast<const uint32_t*>(din), reinterpret_cast<uint32_t*>(dout), rows, cols, paired);
    CK(cudaDeviceSynchronize());
    std::vector<uint8_t> got(codes.size());
    CK(cudaMemcpy(got.data(), dout, got.size(), cudaMemcpyDeviceToHost));
    const bool ok = got == host_bitplace(codes, rows, cols, paired);
    if (!ok) ++failures;
    std::printf("nvfp4_bitplace %-6s %dx%d against the host  %s\n", paired ? "paired" : "rows", rows, cols, ok ? "ok" : "FAIL");
  }
  cudaFree(din);
  cudaFree(dout);
}

// NVFP4 paths: mode 0 = fused big kernel, 1 = skinny, 2 = expand + 16-bit GEMM, 3 = skinny with
// the weights bit-placed on the host, 4 = the same with the rows paired
static void check_fp4(const char* name, bool w4a4, bool tile, int mode, void* fn, int smem, int BN, int M, int N, int K,
                      int splits, bool obf, float alpha, bool with_bias, float beta) {
  Fp4 wq(N, K, tile);
  Fp4 aq(M, K, false);
  auto ha = rand_bf16(static_cast<size_t>(M) * K);
  auto bias = with_bias ? rand_bias(N) : std::vector<float>();
  Out out(M, N, obf, beta);
  const std::vector<uint8_t> codes = mode >= 3 ? host_bitplace(wq.codes, N, K, mode == 4) : wq.codes;
  uint8_t *dwc = dev_copy(codes), *dws = dev_copy(wq.scales);
  uint8_t *dac = dev_copy(aq.codes), *das = dev_copy(aq.scales);
  uint16_t* dab = dev_copy(ha);
  float* dga = dev_copy(std::vector<float>{aq.g});
  float* dgb = dev_copy(std::vector<float>{wq.g});
  float* dbias = with_bias ? dev_copy(bias) : nullptr;
  const void* A = w4a4 ? static_cast<const void*>(dac) : dab;
  if (mode == 0) {
    launch_big(reinterpret_cast<BigFn>(fn), smem, BN, A, dwc, das, dws, w4a4 ? dga : nullptr, dgb, out.dev, dbias, M, N,
               K, K, K, alpha, beta, obf);
  } else if (mode != 2) {
    if (!launch_skinny(*static_cast<const SkSet*>(fn), false, A, dwc, das, dws, w4a4 ? dga : nullptr, dgb, out.dev, dbias,
                       M, N, K, K, K, splits, alpha, beta, obf)) {
      std::printf("%-28s M=%5d: does not fit in shared memory, skipped\n", name, M);
      return;
    }
    CK(cudaDeviceSynchronize());
  } else {
    uint16_t *ea, *eb;
    CK(cudaMalloc(&ea, static_cast<size_t>(M) * K * 2));
    CK(cudaMalloc(&eb, static_cast<size_t>(N) * K * 2));
    if (w4a4) nvfp4_expand_f16_row<<<256, 256>>>(dac, das, reinterpret_cast<uint4*>(ea), M, K);
    if (w4a4) {
      if (tile) nvfp4_expand_f16_tile<<<256, 256>>>(dwc, dws, reinterpret_cast<uint4*>(eb), N, K);
      else nvfp4_expand_f16_row<<<256, 256>>>(dwc, dws, reinterpret_cast<uint4*>(eb), N, K);
    } else {
      if (tile) nvfp4_expand_bf16_tile<<<256, 256>>>(dwc, dws, reinterpret_cast<uint4*>(eb), N, K);
      else nvfp4_expand_bf16_row<<<256, 256>>>(dwc, dws, reinterpret_cast<uint4*>(eb), N, K);
    }
    CK(cudaGetLastError());
    launch_big(reinterpret_cast<BigFn>(fn), smem, BN, w4a4 ? static_cast<const void*>(ea) : dab, eb, nullptr, nullptr,
               w4a4 ? dga : nullptr, dgb, out.dev, dbias, M, N, K, K, K, alpha, beta, obf);
    CK(cudaDeviceSynchronize());
    cudaFree(ea);
    cudaFree(eb);
  }
  CK(cudaDeviceSynchronize());
  auto a = [&](int m, int k) { return w4a4 ? aq.at(m, k) : bf16_to_f(ha[static_cast<size_t>(m) * K + k]); };
  auto b = [&](int n, int k) { return wq.at(n, k); };
  report(name, M, N, K, obf, out.error(reference(M, N, K, a, b, alpha, bias, beta, out.d0)));
  for (void* p : {(void*)dwc, (void*)dws, (void*)dac, (void*)das, (void*)dab, (void*)dga, (void*)dgb})
    cudaFree(p);
  if (dbias) cudaFree(dbias);
}

#define BIGK(NAME, AK, BK_, BN, F16) reinterpret_cast<void*>(NAME), big_smem<AK, BK_, BN, F16>(), BN

// Every code under every E4M3 scale through the bit-placed decode, against the host value.
__global__ void bitplace_all(uint16_t* out) {
  const int sc = blockIdx.x, c = threadIdx.x;  // 128 scales x 16 codes
  uint32_t w = 0;
  for (int i = 0; i < 8; ++i) w |= static_cast<uint32_t>((c + i) & 15) << (4 * i);
  uint32_t c2[2], r[4];
  bitplace_scales2(static_cast<uint32_t>(sc) | (static_cast<uint32_t>(sc) << 8), c2);
  dequant8_bitplaced(bitplace_word(w), c2[0], r);
  for (int k = 0; k < 4; ++k) {
    out[(sc * 16 + c) * 8 + 2 * k] = static_cast<uint16_t>(r[k]);
    out[(sc * 16 + c) * 8 + 2 * k + 1] = static_cast<uint16_t>(r[k] >> 16);
  }
}
static void check_bitplace_decode() {
  uint16_t* d;
  CK(cudaMalloc(&d, 127 * 16 * 8 * 2));
  bitplace_all<<<127, 16>>>(d);
  std::vector<uint16_t> h(127 * 16 * 8);
  CK(cudaMemcpy(h.data(), d, h.size() * 2, cudaMemcpyDeviceToHost));
  int bad = 0;
  for (int sc = 0; sc < 127; ++sc)
    for (int c = 0; c < 16; ++c)
      for (int i = 0; i < 8; ++i) {
        const float want = e2m1((c + i) & 15) * e4m3(sc) / 256.0f, got = bf16_to_f(h[(sc * 16 + c) * 8 + i]);
        if (want != got && bad++ < 5) std::printf("bitplace decode: scale %02x code %x: %g, want %g\n", sc, (c + i) & 15, got, want);
      }
  if (bad) ++failures;
  std::printf("bitplace decode, 127 scales x 16 codes: %d wrong  %s\n", bad, bad ? "FAIL" : "ok");
  cudaFree(d);
}

// One small-M family (mode 1: codec-order weights, 3: bit-placed, 4: bit-placed paired): every split count (cluster
// size), odd M, a K slice whose second half is empty (K = 128 per slice), then the decode shape.
static void check_skinny_family(int mode, const char* sfx, SkSet w16r, SkSet w16t, SkSet w4r, SkSet w4t) {
  const std::string a = std::string("skinny_w4a16_row") + sfx, b = std::string("skinny_w4a16_tile") + sfx,
                    c = std::string("skinny_w4a4_row") + sfx, d = std::string("skinny_w4a4_tile") + sfx;
  for (int M : {1, 7, 9, 16})
    for (int splits : {1, 2, 4}) {
      bool obf = M == 7;
      check_fp4(a.c_str(), false, false, mode, &w16r, 0, 0, M, 384, 1024, splits, obf, 1.f, splits == 2, 0.f);
      check_fp4(b.c_str(), false, true, mode, &w16t, 0, 0, M, 400, 1152, splits, false, 0.5f, true, M == 16 ? 1.f : 0.f);
      check_fp4(c.c_str(), true, false, mode, &w4r, 0, 0, M, 272, 1024, splits, obf, 1.f, false, 0.f);
      check_fp4(d.c_str(), true, true, mode, &w4t, 0, 0, M, 144, 512, splits, false, 1.f, true, 1.f);
    }
  check_fp4(b.c_str(), false, true, mode, &w16t, 0, 0, 3, 160, 384, 4, false, 1.f, false, 0.f);
  // W4A4 with a long K slice (6144: 1152 units of 64 k of raw activations per CTA)
  check_fp4(c.c_str(), true, false, mode, &w4r, 0, 0, 12, 144, 12288, 2, false, 1.f, true, 0.f);
  check_fp4(d.c_str(), true, true, mode, &w4t, 0, 0, 12, 144, 12288, 2, true, 1.f, false, 0.f);
  // W4A16 with more than 16 steps per warp (bit-placed 16x16 scales come 16 steps at a time)
  check_fp4(b.c_str(), false, true, mode, &w16t, 0, 0, 12, 144, 12288, 2, false, 1.f, true, 0.f);
  check_fp4(b.c_str(), false, true, mode, &w16t, 0, 0, 5, 272, 8192, 1, true, 0.5f, false, 1.f);
  check_fp4(a.c_str(), false, false, mode, &w16r, 0, 0, 5, 272, 8192, 1, false, 1.f, true, 0.f);
  for (int M : {1, 16}) {
    check_fp4(d.c_str(), true, true, mode, &w4t, 0, 0, M, 512, 8192, 2, false, 1.f, false, 0.f);
    check_fp4(a.c_str(), false, false, mode, &w16r, 0, 0, M, 528, 8192, 4, true, 1.f, true, 0.f);
  }
}

static void run_checks() {
  check_bitplace_decode();
  check_bitplace_kernel();
  // bf16 layouts, both tile widths, tails in M, N and K, epilogue variants
  check_bf16("bf16_kk_n256", gemm_bf16_kk_n256, big_smem<OP_K16, OP_K16, 256, false>(), 256, 0, 257, 384, 512, false, 1.f, false, 0.f);
  check_bf16("bf16_kk_n256", gemm_bf16_kk_n256, big_smem<OP_K16, OP_K16, 256, false>(), 256, 0, 33, 272, 80, true, 0.5f, true, 0.f);
  check_bf16("bf16_kk_n128", gemm_bf16_kk_n128, big_smem<OP_K16, OP_K16, 128, false>(), 128, 0, 129, 400, 208, false, 0.75f, true, 1.f);
  check_bf16("bf16_kn_n256", gemm_bf16_kn_n256, big_smem<OP_K16, OP_MN16, 256, false>(), 256, 1, 257, 384, 336, false, 1.f, false, 0.f);
  check_bf16("bf16_kn_n128", gemm_bf16_kn_n128, big_smem<OP_K16, OP_MN16, 128, false>(), 128, 1, 77, 144, 512, true, 1.f, true, 1.f);
  check_bf16("bf16_mn_n256", gemm_bf16_mn_n256, big_smem<OP_MN16, OP_MN16, 256, false>(), 256, 2, 272, 384, 333, false, 1.f, false, 0.f);
  check_bf16("bf16_mn_n128", gemm_bf16_mn_n128, big_smem<OP_MN16, OP_MN16, 128, false>(), 128, 2, 48, 160, 7, false, 2.f, false, 1.f);
  // fused NVFP4
  check_fp4("w4a16_row_n256", false, false, 0, BIGK(gemm_w4a16_row_n256, OP_K16, OP_FP4_ROW, 256, false), 257, 384, 512, 1, false, 1.f, false, 0.f);
  check_fp4("w4a16_tile_n256", false, true, 0, BIGK(gemm_w4a16_tile_n256, OP_K16, OP_FP4_TILE, 256, false), 33, 400, 256, 1, true, 1.f, true, 0.f);
  check_fp4("w4a16_row_n128", false, false, 0, BIGK(gemm_w4a16_row_n128, OP_K16, OP_FP4_ROW, 128, false), 129, 272, 320, 1, false, 0.5f, true, 1.f);
  check_fp4("w4a16_tile_n128", false, true, 0, BIGK(gemm_w4a16_tile_n128, OP_K16, OP_FP4_TILE, 128, false), 200, 144, 512, 1, false, 1.f, false, 0.f);
  check_fp4("w4a4_row_n256", true, false, 0, BIGK(gemm_w4a4_row_n256, OP_FP4_ROW, OP_FP4_ROW, 256, true), 257, 384, 512, 1, false, 1.f, false, 0.f);
  check_fp4("w4a4_tile_n256", true, true, 0, BIGK(gemm_w4a4_tile_n256, OP_FP4_ROW, OP_FP4_TILE, 256, true), 33, 400, 320, 1, true, 1.f, true, 0.f);
  check_fp4("w4a4_row_n128", true, false, 0, BIGK(gemm_w4a4_row_n128, OP_FP4_ROW, OP_FP4_ROW, 128, true), 129, 272, 256, 1, false, 0.5f, true, 1.f);
  check_fp4("w4a4_tile_n128", true, true, 0, BIGK(gemm_w4a4_tile_n128, OP_FP4_ROW, OP_FP4_TILE, 128, true), 200, 144, 512, 1, false, 1.f, false, 0.f);
  // dequantize-then-GEMM (any K % 16)
  check_fp4("expand+f16_kk_n256 (w4a4)", true, true, 2, BIGK(gemm_f16_kk_n256, OP_K16, OP_K16, 256, true), 65, 272, 80, 1, false, 1.f, true, 0.f);
  check_fp4("expand+bf16_kk_n128 (w4a16)", false, false, 2, BIGK(gemm_bf16_kk_n128, OP_K16, OP_K16, 128, false), 19, 160, 48, 1, true, 1.f, false, 0.f);
  // small-M kernels, codec-order and bit-placed weights
  check_skinny_family(1, "", SKSET(skinny_w4a16_row), SKSET(skinny_w4a16_tile), SKSET(skinny_w4a4_row), SKSET(skinny_w4a4_tile));
  check_skinny_family(3, "_bp", SKSET(skinny_w4a16_row_bp), SKSET(skinny_w4a16_tile_bp), SKSET(skinny_w4a4_row_bp),
                      SKSET(skinny_w4a4_tile_bp));
  check_skinny_family(4, "_bpp", SKSET(skinny_w4a16_row_bpp), SKSET(skinny_w4a16_tile_bpp), SKSET(skinny_w4a4_row_bpp),
                      SKSET(skinny_w4a4_tile_bpp));
  // the same, launched as GemmKernels launches them (programmatic dependent launch)
  check_skinny_family(3, "_bp pdl", SKSET_PDL(skinny_w4a16_row_bp), SKSET_PDL(skinny_w4a16_tile_bp), SKSET_PDL(skinny_w4a4_row_bp),
                      SKSET_PDL(skinny_w4a4_tile_bp));
  check_skinny_family(4, "_bpp pdl", SKSET_PDL(skinny_w4a16_row_bpp), SKSET_PDL(skinny_w4a16_tile_bpp), SKSET_PDL(skinny_w4a4_row_bpp),
                      SKSET_PDL(skinny_w4a4_tile_bpp));
  // skinny bf16 weights
  for (int M : {1, 16})
    for (int splits : {1, 4}) {
      int N = 336, K = 1024;
      auto ha = rand_bf16(static_cast<size_t>(M) * K), hb = rand_bf16(static_cast<size_t>(N) * K);
      Out out(M, N, false, 0.f);
      uint16_t *da = dev_copy(ha), *db = dev_copy(hb);
      launch_skinny(SKSET(skinny_bf16), true, da, db, nullptr, nullptr, nullptr, nullptr, out.dev, nullptr, M, N, K, K, K,
                    splits, 1.f, 0.f, 0);
      CK(cudaDeviceSynchronize());
      auto a = [&](int m, int k) { return bf16_to_f(ha[static_cast<size_t>(m) * K + k]); };
      auto b = [&](int n, int k) { return bf16_to_f(hb[static_cast<size_t>(n) * K + k]); };
      report("skinny_bf16", M, N, K, false, out.error(reference(M, N, K, a, b, 1.f, {}, 0.f, out.d0)));
      cudaFree(da);
      cudaFree(db);
    }
}

// ---------------------------------------------------------------------------------------------
// timing
// ---------------------------------------------------------------------------------------------
__global__ void fill_random(uint32_t* p, size_t words, uint32_t seed, uint32_t mask, uint32_t orv) {
  for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < words; i += (size_t)gridDim.x * blockDim.x) {
    uint32_t x = static_cast<uint32_t>(i) * 2654435761u ^ seed;
    x ^= x >> 15;
    x *= 2246822519u;
    x ^= x >> 13;
    x *= 3266489917u;
    x ^= x >> 16;
    p[i] = (x & mask) | orv;
  }
}
static void* dev_random(size_t bytes, uint32_t seed, uint32_t mask = 0xFFFFFFFFu, uint32_t orv = 0) {
  void* p;
  size_t words = (bytes + 3) / 4;
  CK(cudaMalloc(&p, words * 4 + 16));
  fill_random<<<1024, 256>>>(static_cast<uint32_t*>(p), words, seed, mask, orv);
  CK(cudaGetLastError());
  return p;
}
// bf16 in [-2,2) without NaN/Inf: sign, exponent 0x3F..0x40 range, random mantissa
static const uint32_t BF16_MASK = 0x80FF80FFu, BF16_OR = 0x3F003F00u;
// E4M3 scales between 2^-7 and ~2^1 (bytes 0x00..0x47 with bit 6 clear then some set): avoid NaN 0x7F
static const uint32_t SC_MASK = 0x37373737u, SC_OR = 0x10101010u;

// Read-bandwidth ceilings for the small-M kernel's access pattern (no arithmetic): the skinny grid and
// lane mapping (lane (g, t): 16 bytes of rows g and g+8 per step, UNR steps per batch of loads),
// against each warp reading one contiguous range.
template <int UNR>
__global__ void __launch_bounds__(256, 2) stream_rows(const uint8_t* B, int K, int kslice, uint32_t* out) {
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int row = blockIdx.x * 128 + warp * 16 + g;
  const uint8_t* p0 = B + static_cast<size_t>(row) * (K / 2) + blockIdx.y * kslice / 2 + t * 16;
  const uint8_t* p1 = p0 + 8 * static_cast<size_t>(K / 2);
  const int nsteps = kslice / 128;
  uint32_t x = 0;
  for (int i = 0; i < nsteps; i += UNR) {
    uint4 a[UNR], b[UNR];
#pragma unroll
    for (int u = 0; u < UNR; ++u) {
      a[u] = ldg_stream128(p0 + (i + u) * 64);
      b[u] = ldg_stream128(p1 + (i + u) * 64);
    }
#pragma unroll
    for (int u = 0; u < UNR; ++u) x ^= a[u].x ^ a[u].y ^ a[u].z ^ a[u].w ^ b[u].x ^ b[u].y ^ b[u].z ^ b[u].w;
  }
  if (x == 0x12345678u) out[0] = x;
}
__global__ void __launch_bounds__(256, 2) stream_contig(const uint8_t* B, size_t bytes_per_warp, uint32_t* out) {
  const size_t w = blockIdx.x * 8 + (threadIdx.x >> 5);
  const uint8_t* p = B + w * bytes_per_warp + (threadIdx.x & 31) * 16;
  uint32_t x = 0;
#pragma unroll 4
  for (size_t o = 0; o < bytes_per_warp; o += 512) {
    const uint4 a = ldg_stream128(p + o);
    x ^= a.x ^ a.y ^ a.z ^ a.w;
  }
  if (x == 0x12345678u) out[0] = x;
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class F>
static double time_us(F&& launch, int sets) {
  if (!launch(0)) return NAN;
  cudaEvent_t a, b;
  CK(cudaEventCreate(&a));
  CK(cudaEventCreate(&b));
  for (int i = 0; i < 5; ++i) launch(i % sets);
  CK(cudaDeviceSynchronize());
  std::vector<double> r;
  // batch size: about 2 ms of work per timed batch, at least 2 launches
  CK(cudaEventRecord(a));
  launch(0);
  CK(cudaEventRecord(b));
  CK(cudaEventSynchronize(b));
  float one;
  CK(cudaEventElapsedTime(&one, a, b));
  int iters = std::max(2, std::min(200, static_cast<int>(2.0 / std::max(one, 1e-3f))));
  for (int rep = 0; rep < 15; ++rep) {
    CK(cudaEventRecord(a));
    for (int i = 0; i < iters; ++i) launch((rep * iters + i) % sets);
    CK(cudaEventRecord(b));
    CK(cudaEventSynchronize(b));
    float ms;
    CK(cudaEventElapsedTime(&ms, a, b));
    r.push_back(ms * 1000.0 / iters);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  return median(r);
}

static void run_timing(bool small_only) {
  struct Shape {
    int M, N, K;
  };
  std::vector<Shape> shapes = {{1, 8192, 8192},    {16, 8192, 8192},   {64, 8192, 8192},   {256, 8192, 8192},
                               {1024, 8192, 8192}, {8192, 8192, 8192}, {7040, 3072, 3072}, {7040, 9216, 3072},
                               {7040, 14336, 3072}, {7040, 3072, 14336}};
  int sms;
  CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  const size_t L2 = 50u << 20;
  std::printf("\n%-24s %5s %6s %6s %10s %9s %9s\n", "variant", "M", "N", "K", "us", "TFLOP/s", "GB/s");
  for (const Shape& s : shapes) {
    const int M = s.M, N = s.N, K = s.K;
    if (small_only && M > 16) continue;
    const double flop = 2.0 * M * N * K;
    size_t b_bf16 = (size_t)N * K * 2, a_bf16 = (size_t)M * K * 2;
    size_t b_fp4 = (size_t)N * K / 2, a_fp4 = (size_t)M * K / 2;
    size_t sc_row_b = (size_t)N * K / 16, sc_tile_b = (size_t)(N / 16) * (K / 16), sc_a = (size_t)M * K / 16;
    size_t out_b = (size_t)M * N * 2;
    auto nsets = [&](size_t bytes) { return (int)std::max<size_t>(2, (2 * L2) / std::max<size_t>(bytes, 1) + 1); };
    // inputs (rotated sets)
    int sets_bf = nsets(a_bf16 + b_bf16), sets_fp = nsets(a_fp4 + b_fp4 + sc_row_b);
    sets_bf = std::min(sets_bf, 8);
    sets_fp = std::min(sets_fp, 8);
    std::vector<void*> Ab(sets_bf), Bb(sets_bf), Af(sets_fp), As(sets_fp), Bf(sets_fp), Bsr(sets_fp), Bst(sets_fp), Ab4(sets_fp);
    for (int i = 0; i < sets_bf; ++i) {
      Ab[i] = dev_random(a_bf16, 11 + i, BF16_MASK, BF16_OR);
      Bb[i] = dev_random(b_bf16, 101 + i, BF16_MASK, BF16_OR);
    }
    for (int i = 0; i < sets_fp; ++i) {
      Af[i] = dev_random(a_fp4, 201 + i);
      As[i] = dev_random(sc_a, 301 + i, SC_MASK, SC_OR);
      Bf[i] = dev_random(b_fp4, 401 + i);
      Bsr[i] = dev_random(sc_row_b, 501 + i, SC_MASK, SC_OR);
      Bst[i] = dev_random(sc_tile_b, 601 + i, SC_MASK, SC_OR);
      Ab4[i] = dev_random(a_bf16, 701 + i, BF16_MASK, BF16_OR);
    }
    float* g = static_cast<float*>(dev_copy(std::vector<float>{0.01f}));
    void* D;
    CK(cudaMalloc(&D, (size_t)M * N * 4));
    auto row = [&](const char* name, double us, size_t bytes) {
      std::printf("%-24s %5d %6d %6d %10.2f %9.1f %9.1f\n", name, M, N, K, us, flop / us * 1e-6, bytes / us * 1e-3);
    };
    if (M == 1) {
      for (int splits : {2, 4}) {
        const int ks = K / splits;
        char nm[64];
        std::snprintf(nm, sizeof nm, "stream_rows_u1 s%d", splits);
        row(nm, time_us([&](int i) { stream_rows<1><<<dim3(N / 128, splits), 256>>>((uint8_t*)Bf[i], K, ks, (uint32_t*)D); return true; }, sets_fp), b_fp4);
        std::snprintf(nm, sizeof nm, "stream_rows_u2 s%d", splits);
        row(nm, time_us([&](int i) { stream_rows<2><<<dim3(N / 128, splits), 256>>>((uint8_t*)Bf[i], K, ks, (uint32_t*)D); return true; }, sets_fp), b_fp4);
        std::snprintf(nm, sizeof nm, "stream_rows_u4 s%d", splits);
        row(nm, time_us([&](int i) { stream_rows<4><<<dim3(N / 128, splits), 256>>>((uint8_t*)Bf[i], K, ks, (uint32_t*)D); return true; }, sets_fp), b_fp4);
      }
      for (int ctas : {264, 512}) {
        char nm[64];
        std::snprintf(nm, sizeof nm, "stream_contig c%d", ctas);
        const size_t per = b_fp4 / (ctas * 8) / 512 * 512;
        row(nm, time_us([&](int i) { stream_contig<<<ctas, 256>>>((uint8_t*)Bf[i], per, (uint32_t*)D); return true; }, sets_fp), per * ctas * 8);
      }
    }
    if (M <= 16) {
      // kind 0: w4a16 tile, 1: w4a4 tile, 2: w4a16 row, 3: w4a4 row, 4: bf16
      struct V { const char* name; SkSet f; int kind; };
      V vs[] = {{"w4a16_tile", SKSET(skinny_w4a16_tile), 0}, {"w4a4_tile", SKSET(skinny_w4a4_tile), 1},
                {"w4a16_row", SKSET(skinny_w4a16_row), 2},   {"w4a4_row", SKSET(skinny_w4a4_row), 3},
                {"bf16", SKSET(skinny_bf16), 4},
                {"w4a16_tile_bp", SKSET(skinny_w4a16_tile_bp), 0}, {"w4a4_tile_bp", SKSET(skinny_w4a4_tile_bp), 1},
                {"w4a16_row_bp", SKSET(skinny_w4a16_row_bp), 2},   {"w4a4_row_bp", SKSET(skinny_w4a4_row_bp), 3},
                {"w4a16_tile_bpp", SKSET(skinny_w4a16_tile_bpp), 0}, {"w4a4_tile_bpp", SKSET(skinny_w4a4_tile_bpp), 1},
                {"w4a16_row_bpp", SKSET(skinny_w4a16_row_bpp), 2},   {"w4a4_row_bpp", SKSET(skinny_w4a4_row_bpp), 3}};
      for (const V& v : vs) {
        for (int splits : {1, 2, 4}) {
          char nm[64];
          std::snprintf(nm, sizeof nm, "%s s%d", v.name, splits);
          size_t bytes = v.kind == 4 ? b_bf16 + a_bf16 : b_fp4 + (v.kind >= 2 ? sc_row_b : sc_tile_b) + ((v.kind & 1) ? a_fp4 + sc_a : a_bf16);
          bytes += out_b;
          row(nm, time_us([&](int i) {
                const bool a4 = v.kind == 1 || v.kind == 3;
                const void* A = v.kind == 4 ? Ab[i] : a4 ? Af[i] : Ab4[i];
                const void* B = v.kind == 4 ? Bb[i] : Bf[i];
                const uint8_t* bs = v.kind == 4 ? nullptr : (uint8_t*)(v.kind >= 2 ? Bsr[i] : Bst[i]);
                return launch_skinny(v.f, v.kind == 4, A, B, a4 ? (uint8_t*)As[i] : nullptr, bs, a4 ? g : nullptr,
                                     v.kind == 4 ? nullptr : g, D, nullptr, M, N, K, K, K, splits, 1.f, 0.f, 1);
              }, v.kind == 4 ? sets_bf : sets_fp), bytes);
        }
      }
    } else {
      for (int BN : {256, 128}) {
        bool w = BN == 256;
        char nm[64];
        std::snprintf(nm, sizeof nm, "bf16_kk_n%d", BN);
        BigFn fk = w ? gemm_bf16_kk_n256 : gemm_bf16_kk_n128;
        int sk = w ? big_smem<OP_K16, OP_K16, 256, false>() : big_smem<OP_K16, OP_K16, 128, false>();
        row(nm, time_us([&](int i) { launch_big(fk, sk, BN, Ab[i], Bb[i], nullptr, nullptr, nullptr, nullptr, D, nullptr, M, N, K, K, K, 1.f, 0.f, 1); return true; }, sets_bf), a_bf16 + b_bf16 + out_b);
        std::snprintf(nm, sizeof nm, "w4a16_tile_n%d", BN);
        BigFn f16t = w ? gemm_w4a16_tile_n256 : gemm_w4a16_tile_n128;
        int s16t = w ? big_smem<OP_K16, OP_FP4_TILE, 256, false>() : big_smem<OP_K16, OP_FP4_TILE, 128, false>();
        row(nm, time_us([&](int i) { launch_big(f16t, s16t, BN, Ab4[i], Bf[i], nullptr, (uint8_t*)Bst[i], nullptr, g, D, nullptr, M, N, K, K, K, 1.f, 0.f, 1); return true; }, sets_fp), a_bf16 + b_fp4 + sc_tile_b + out_b);
        std::snprintf(nm, sizeof nm, "w4a4_tile_n%d", BN);
        BigFn f4t = w ? gemm_w4a4_tile_n256 : gemm_w4a4_tile_n128;
        int s4t = w ? big_smem<OP_FP4_ROW, OP_FP4_TILE, 256, true>() : big_smem<OP_FP4_ROW, OP_FP4_TILE, 128, true>();
        row(nm, time_us([&](int i) { launch_big(f4t, s4t, BN, Af[i], Bf[i], (uint8_t*)As[i], (uint8_t*)Bst[i], g, g, D, nullptr, M, N, K, K, K, 1.f, 0.f, 1); return true; }, sets_fp), a_fp4 + sc_a + b_fp4 + sc_tile_b + out_b);
        std::snprintf(nm, sizeof nm, "w4a4_row_n%d", BN);
        BigFn f4r = w ? gemm_w4a4_row_n256 : gemm_w4a4_row_n128;
        int s4r = w ? big_smem<OP_FP4_ROW, OP_FP4_ROW, 256, true>() : big_smem<OP_FP4_ROW, OP_FP4_ROW, 128, true>();
        row(nm, time_us([&](int i) { launch_big(f4r, s4r, BN, Af[i], Bf[i], (uint8_t*)As[i], (uint8_t*)Bsr[i], g, g, D, nullptr, M, N, K, K, K, 1.f, 0.f, 1); return true; }, sets_fp), a_fp4 + sc_a + b_fp4 + sc_row_b + out_b);
      }
      if (M == 8192) {
        BigFn fd = gemm_bf16_kn_n256, fw = gemm_bf16_mn_n256;
        row("bf16_kn_n256 (dgrad)", time_us([&](int i) { launch_big(fd, big_smem<OP_K16, OP_MN16, 256, false>(), 256, Ab[i], Bb[i], nullptr, nullptr, nullptr, nullptr, D, nullptr, M, N, K, K, N, 1.f, 0.f, 1); return true; }, sets_bf), a_bf16 + b_bf16 + out_b);
        row("bf16_mn_n256 (wgrad)", time_us([&](int i) { launch_big(fw, big_smem<OP_MN16, OP_MN16, 256, false>(), 256, Ab[i], Bb[i], nullptr, nullptr, nullptr, nullptr, D, nullptr, M, N, K, M, N, 1.f, 0.f, 1); return true; }, sets_bf), a_bf16 + b_bf16 + out_b);
        // dequantize-then-GEMM W4A4 (expand both operands each call, then the f16 GEMM)
        void *ea, *eb;
        CK(cudaMalloc(&ea, a_bf16));
        CK(cudaMalloc(&eb, b_bf16));
        row("expand+f16_kk_n256", time_us([&](int i) {
              nvfp4_expand_f16_row<<<sms * 8, 256>>>((uint8_t*)Af[i], (uint8_t*)As[i], (uint4*)ea, M, K);
              nvfp4_expand_f16_tile<<<sms * 8, 256>>>((uint8_t*)Bf[i], (uint8_t*)Bst[i], (uint4*)eb, N, K);
              launch_big(gemm_f16_kk_n256, big_smem<OP_K16, OP_K16, 256, true>(), 256, ea, eb, nullptr, nullptr, g, g, D, nullptr, M, N, K, K, K, 1.f, 0.f, 1); return true;
            }, sets_fp), a_fp4 + sc_a + b_fp4 + sc_tile_b + out_b);
        cudaFree(ea);
        cudaFree(eb);
      }
    }
    CK(cudaDeviceSynchronize());
    for (auto* v : {&Ab, &Bb, &Af, &As, &Bf, &Bsr, &Bst, &Ab4})
      for (void* p : *v) cudaFree(p);
    cudaFree(g);
    cudaFree(D);
  }
}

// For Nsight Compute: each configuration launched 3 times (profile with --launch-skip/--launch-count).
static void run_prof() {
  const int N = 8192, K = 8192;
  for (int M : {1, 16}) {
    void* A = dev_random((size_t)M * K * 2, 1, BF16_MASK, BF16_OR);
    void* Af = dev_random((size_t)M * K / 2, 2);
    void* As = dev_random((size_t)M * K / 16, 3, SC_MASK, SC_OR);
    void* B = dev_random((size_t)N * K / 2, 4);
    void* Bs = dev_random((size_t)(N / 16) * (K / 16), 5, SC_MASK, SC_OR);
    float* g = dev_copy(std::vector<float>{0.01f});
    void* D;
    CK(cudaMalloc(&D, (size_t)M * N * 4));
    for (int r = 0; r < 3; ++r)
      launch_skinny(SKSET(skinny_w4a16_tile), false, A, B, nullptr, (uint8_t*)Bs, nullptr, g, D, nullptr, M, N, K, K, K, 2, 1.f, 0.f, 1);
    for (int r = 0; r < 3; ++r)
      launch_skinny(SKSET(skinny_w4a4_tile), false, Af, B, (uint8_t*)As, (uint8_t*)Bs, g, g, D, nullptr, M, N, K, K, K, 2, 1.f, 0.f, 1);
    for (int r = 0; r < 3; ++r)  // bit-placed (random codes are as good as placed ones for timing)
      launch_skinny(SKSET(skinny_w4a16_tile_bp), false, A, B, nullptr, (uint8_t*)Bs, nullptr, g, D, nullptr, M, N, K, K, K, 2, 1.f, 0.f, 1);
    CK(cudaDeviceSynchronize());
    for (void* p : {A, Af, As, B, Bs, (void*)g, D}) cudaFree(p);
  }
  const int M = 8192;
  void* A = dev_random((size_t)M * K * 2, 1, BF16_MASK, BF16_OR);
  void* B = dev_random((size_t)N * K * 2, 2, BF16_MASK, BF16_OR);
  void* Af = dev_random((size_t)M * K / 2, 3);
  void* As = dev_random((size_t)M * K / 16, 4, SC_MASK, SC_OR);
  void* Bf = dev_random((size_t)N * K / 2, 5);
  void* Bs = dev_random((size_t)(N / 16) * (K / 16), 6, SC_MASK, SC_OR);
  float* g = dev_copy(std::vector<float>{0.01f});
  void* D;
  CK(cudaMalloc(&D, (size_t)M * N * 2));
  for (int r = 0; r < 3; ++r)
    launch_big(gemm_bf16_kk_n256, big_smem<OP_K16, OP_K16, 256, false>(), 256, A, B, nullptr, nullptr, nullptr, nullptr, D, nullptr, M, N, K, K, K, 1.f, 0.f, 1);
  for (int r = 0; r < 3; ++r)
    launch_big(gemm_w4a4_tile_n256, big_smem<OP_FP4_ROW, OP_FP4_TILE, 256, true>(), 256, Af, Bf, (uint8_t*)As, (uint8_t*)Bs, g, g, D, nullptr, M, N, K, K, K, 1.f, 0.f, 1);
  CK(cudaDeviceSynchronize());
}

__global__ void __launch_bounds__(512, 1) __cluster_dims__(1, 2, 1) empty_cluster(int* p) { if (p && threadIdx.x == 999) *p = 1; }
__global__ void __launch_bounds__(512, 1) empty_plain(int* p) { if (p && threadIdx.x == 999) *p = 1; }
// Per-CTA clock64 stamps of dev_stamp / dev_stamp_a4 (the bit-placed W4A16 / W4A4 16x16 kernels; _p: rows paired; 2 K
// slices: entry, A staged, each warp's main loop done, partials sent, exit), printed as
// percentiles over CTAs in microseconds from entry (at the nominal clock), with the empty-kernel
// launch period for comparison; and the CTAs' entries and exits on the globaltimer, which all SMs
// share (how far the last CTA ends after the others).
static void run_stamp() {
  const int N = 8192, K = 8192;
  int clk;
  CK(cudaDeviceGetAttribute(&clk, cudaDevAttrClockRate, 0));
  set_smem(reinterpret_cast<const void*>(empty_cluster), 20000);
  set_smem(reinterpret_cast<const void*>(empty_plain), 20000);
  std::printf("empty kernel period: cluster-of-2 grid 64x2 %.2f us, plain grid 64x2 %.2f us, plain 132 CTAs %.2f us\n",
              time_us([&](int) { empty_cluster<<<dim3(64, 2), 512, 16384>>>(nullptr); return true; }, 1),
              time_us([&](int) { empty_plain<<<dim3(64, 2), 512, 16384>>>(nullptr); return true; }, 1),
              time_us([&](int) { empty_plain<<<132, 512, 0>>>(nullptr); return true; }, 1));
  for (int paired = 0; paired < 2; ++paired)
  for (int a4 = 0; a4 < 2; ++a4)
  for (int M : {1, 16}) {
    const SkSet ks = paired ? (a4 ? SKSET(dev_stamp_p_a4) : SKSET(dev_stamp_p)) : a4 ? SKSET(dev_stamp_a4) : SKSET(dev_stamp);
    void* A = a4 ? dev_random((size_t)M * K / 2, 1) : dev_random((size_t)M * K * 2, 1, BF16_MASK, BF16_OR);
    void* As = dev_random((size_t)M * K / 16, 2, SC_MASK, SC_OR);
    void* B[4];  // rotated: more than L2 holds
    for (int i = 0; i < 4; ++i) B[i] = dev_random((size_t)N * K / 2, 4 + i);
    void* Bs = dev_random((size_t)(N / 16) * (K / 16), 5, SC_MASK, SC_OR);
    float* g = dev_copy(std::vector<float>{0.01f});
    void* D;
    CK(cudaMalloc(&D, (size_t)M * N * 4));
    auto launch = [&](int r) {
      return launch_skinny(ks, false, A, B[r % 4], a4 ? (uint8_t*)As : nullptr, (uint8_t*)Bs, a4 ? g : nullptr, g, D,
                           nullptr, M, N, K, K, K, 2, 1.f, 0.f, 1);
    };
    for (int r = 0; r < 9; ++r) launch(r);
    CK(cudaDeviceSynchronize());
    std::vector<unsigned long long> h(1024 * 24);
    CK(cudaMemcpyFromSymbol(h.data(), g_dev_times, h.size() * 8));
    const int ctas = 128;
    const char* names[] = {"staged", "warp0 done", "last warp done", "partials sent", "exit"};
    std::printf("%s%s M=%d clock %d kHz; us from entry, p10/p50/p90 over %d CTAs\n", a4 ? "W4A4" : "W4A16",
                paired ? " paired" : "", M, clk, ctas);
    for (int e = 0; e < 5; ++e) {
      std::vector<double> v;
      for (int c = 0; c < ctas; ++c) {
        const unsigned long long* t = &h[c * 24];
        unsigned long long x = e == 0 ? t[1] : e == 1 ? t[2] : e == 2 ? *std::max_element(t + 2, t + 18) : t[16 + e];
        v.push_back((double)(x - t[0]) / (clk * 1e-3));
      }
      std::sort(v.begin(), v.end());
      std::printf("  %-16s %7.2f %7.2f %7.2f\n", names[e], v[ctas / 10], v[ctas / 2], v[ctas * 9 / 10]);
    }
    std::printf("  dynamic shared memory base mod 128: %llu\n", h[23] % 128);
    {  // globaltimer (ns, one clock for all SMs) at entry and exit, from the first CTA's entry: the tail
      std::vector<double> en, ex;
      for (int c = 0; c < ctas; ++c) en.push_back((double)h[c * 24 + 21]), ex.push_back((double)h[c * 24 + 22]);
      const double t0 = *std::min_element(en.begin(), en.end());
      for (auto& x : en) x = (x - t0) * 1e-3;
      for (auto& x : ex) x = (x - t0) * 1e-3;
      std::sort(en.begin(), en.end());
      std::sort(ex.begin(), ex.end());
      std::printf("  globaltimer us from the first entry: entry p50 %.2f max %.2f; exit min %.2f p10 %.2f p50 %.2f p90 %.2f max %.2f\n",
                  en[ctas / 2], en[ctas - 1], ex[0], ex[ctas / 10], ex[ctas / 2], ex[ctas * 9 / 10], ex[ctas - 1]);
      std::vector<std::pair<double, int>> late;  // (exit, SM) of the CTAs, latest first
      for (int c = 0; c < ctas; ++c) late.push_back({-(double)h[c * 24 + 22], (int)h[c * 24 + 18]});
      std::sort(late.begin(), late.end());
      std::printf("  SMs of the 16 latest CTAs:");
      for (int i = 0; i < 16; ++i) std::printf(" %d", late[i].second);
      std::printf("\n  SMs of the 16 earliest CTAs:");
      for (int i = 0; i < 16; ++i) std::printf(" %d", late[ctas - 1 - i].second);
      std::printf("\n");
    }
    std::printf("  kernel period: %.2f us\n", time_us(launch, 4));
  }
}

// The small-M kernel's clusters (K slices) that the device can hold at once, at N = K = 8192, M = 16:
// a grid of more CTAs than that runs in two waves (on H100: 66 clusters of 2, 30 of 4; the Java
// side's autoSplits budgets 90% of the SMs for clusters of 4).
static void run_clusters() {
  const SkSet f = SKSET(skinny_w4a16_tile_bp);
  for (int splits : {2, 4}) {
    const SkCfg c = sk_cfg(8192, 8192, splits);
    const int smem = sk_smem(false, false, 16, c.kslice);
    const SkFn fn = f.at(c.splits);
    set_smem(reinterpret_cast<const void*>(fn), smem);
    cudaLaunchAttribute cluster;
    cluster.id = cudaLaunchAttributeClusterDimension;
    cluster.val.clusterDim.x = 1;
    cluster.val.clusterDim.y = c.splits;
    cluster.val.clusterDim.z = 1;
    cudaLaunchConfig_t cfg = {};
    cfg.gridDim = dim3(8192 / kSkinnyRows, c.splits);
    cfg.blockDim = dim3(32 * SKINNY_WARPS);
    cfg.dynamicSmemBytes = smem;
    cfg.attrs = &cluster;
    cfg.numAttrs = 1;
    int n = -1;
    CK(cudaOccupancyMaxActiveClusters(&n, reinterpret_cast<const void*>(fn), &cfg));
    std::printf("clusters of %d (K slice %d, %d bytes of shared memory): at most %d at once; the grid has %d\n", c.splits,
                c.kslice, smem, n, cfg.gridDim.x);
  }
}

// Decode-shape inputs (N = K = 8192, M <= 16) in 6 rotated sets, and one launch of a production
// bit-placed kernel (16x16 or 1x16 scales, s2) with activation set ai and weight set wi.
struct DecodeSets {
  static constexpr int N = 8192, K = 8192, sets = 6;
  std::vector<void*> A, Af, As, B, Bs;
  float* g;
  void* D;
  DecodeSets() : A(sets), Af(sets), As(sets), B(sets), Bs(sets) {
    for (int i = 0; i < sets; ++i) {
      A[i] = dev_random((size_t)16 * K * 2, 11 + i, BF16_MASK, BF16_OR);
      Af[i] = dev_random((size_t)16 * K / 2, 201 + i);
      As[i] = dev_random((size_t)16 * K / 16, 301 + i, SC_MASK, SC_OR);
      B[i] = dev_random((size_t)N * K / 2, 401 + i);
      Bs[i] = dev_random((size_t)N * (K / 16), 601 + i, SC_MASK, SC_OR);  // 1x16: one scale row per weight row
    }
    g = static_cast<float*>(dev_copy(std::vector<float>{0.01f}));
    CK(cudaMalloc(&D, (size_t)16 * N * 4));
  }
  // the production bit-placed kernels: W4A4 or W4A16, 1x16 or 16x16 scales, rows paired or not
  static SkSet kernels(bool a4, bool row, bool paired) {
    if (paired)
      return row ? (a4 ? SKSET(skinny_w4a4_row_bpp) : SKSET(skinny_w4a16_row_bpp))
                 : (a4 ? SKSET(skinny_w4a4_tile_bpp) : SKSET(skinny_w4a16_tile_bpp));
    return row ? (a4 ? SKSET(skinny_w4a4_row_bp) : SKSET(skinny_w4a16_row_bp))
               : (a4 ? SKSET(skinny_w4a4_tile_bp) : SKSET(skinny_w4a16_tile_bp));
  }
  bool launch(bool a4, int M, int ai, int wi, bool row = false) const {
    return launch_with(kernels(a4, row, false), a4, M, ai, wi);
  }
  bool launch_with(const SkSet& f, bool a4, int M, int ai, int wi) const {
    return launch_skinny(f, false, a4 ? Af[ai] : A[ai], B[wi],
                         a4 ? (uint8_t*)As[ai] : nullptr, (uint8_t*)Bs[wi], a4 ? g : nullptr, g, D, nullptr, M, N, K, K, K,
                         2, 1.f, 0.f, 1);
  }
};

// The production bit-placed kernels over M = 1..16 (s2, N = K = 8192): where the time grows; 16x16
// scales, then 1x16.
static void run_msweep() {
  const DecodeSets in;
  for (int row = 0; row < 2; ++row)
  for (int extra : {0, 48 * 1024})
  for (int M : {1, 2, 4, 8, 9, 10, 12, 14, 16}) {
    g_extra_smem = extra;
    double t[2];
    for (int a4 = 0; a4 < 2; ++a4)
      t[a4] = time_us([&](int i) { return in.launch(a4, M, i, i, row); }, DecodeSets::sets);
    std::printf("msweep %s extra %6d M=%2d w4a16 %7.2f us  w4a4 %7.2f us\n", row ? "1x16 " : "16x16", extra, M, t[0], t[1]);
  }
  g_extra_smem = 0;
}

// Two launch variants of a decode-shape product timed alternately, the order reversed every other
// round: medians of each, and the median and range of the per-round difference (second - first).
struct Alternated {
  double first, second, diff, lo, hi;
};
static Alternated alternate(const DecodeSets& in, const SkSet (&f)[2], bool a4, int M, int rounds) {
  std::vector<double> t[2], d;
  for (int r = 0; r < rounds; ++r) {
    for (int j = 0; j < 2; ++j) {
      const int v = (r & 1) ? 1 - j : j;
      t[v].push_back(time_us([&](int i) { return in.launch_with(f[v], a4, M, i, i); }, DecodeSets::sets));
    }
    d.push_back(t[1].back() - t[0].back());
  }
  return {median(t[0]), median(t[1]), median(d), *std::min_element(d.begin(), d.end()), *std::max_element(d.begin(), d.end())};
}

// Bit-placed weights with rows as the codec's (_bp) against rows paired (_bpp), as entries of one
// binary timed alternately: separate builds read up to 0.5 us apart with identical SASS
// (docs/kernels-gemm.md, "Eighth round"), this resolves about 0.05 us.
static void run_ab(int rounds) {
  const DecodeSets in;
  for (int row = 0; row < 2; ++row)
    for (int a4 = 0; a4 < 2; ++a4)
      for (int M : {1, 8, 9, 16}) {
        const SkSet f[2] = {DecodeSets::kernels(a4, row, false), DecodeSets::kernels(a4, row, true)};
        const Alternated r = alternate(in, f, a4, M, rounds);
        std::printf("ab %s %-5s M=%2d  rows %7.2f us  paired %7.2f us  paired - rows: median %+6.2f [%+6.2f, %+6.2f] over %d rounds\n",
                    a4 ? "w4a4 " : "w4a16", row ? "1x16" : "16x16", M, r.first, r.second, r.diff, r.lo, r.hi, rounds);
      }
}

// Programmatic dependent launch: the production kernels (the fastest bit-placed order of each op)
// launched plainly and with the attribute, alternately. Timed back to back as everywhere here, so
// each dependent launch overlaps its start with the previous one's tail.
static void run_pdl(int rounds) {
  const DecodeSets in;
  for (int row = 0; row < 2; ++row)
    for (int a4 = 0; a4 < 2; ++a4)
      for (int M : {1, 8, 16}) {
        SkSet f[2] = {DecodeSets::kernels(a4, row, a4), DecodeSets::kernels(a4, row, a4)};
        f[1].pdl = true;
        const Alternated r = alternate(in, f, a4, M, rounds);
        std::printf("pdl %s %-5s %-6s M=%2d  plain %7.2f us  pdl %7.2f us  pdl - plain: median %+6.2f [%+6.2f, %+6.2f] over %d rounds\n",
                    a4 ? "w4a4 " : "w4a16", row ? "1x16" : "16x16", a4 ? "paired" : "rows", M, r.first, r.second, r.diff,
                    r.lo, r.hi, rounds);
      }
}

// Where the activations come from. (1) Staging alone: 128 CTAs of 512 threads copy `bytes` each by
// cp.async (clock64 from entry to the CTA barrier after the copies), every CTA of a K slice reading
// the same bytes or each its own, all resident in L2. (2) The bit-placed 16x16 kernels with the
// activations rotated among input sets like the weights (cold, as GemmBench and cublas_bench.py
// time both us and cuBLAS) against one activation set reused (hot in L2, as when the previous
// kernel of a decode step has just written it); the weights are rotated in both.
__device__ unsigned long long g_stage_clk[128];
// Every copy of this CTA landed: the clocks since c0 into g_stage_clk.
__device__ __forceinline__ void stage_done(unsigned long long c0) {
  cp_async_wait<0>();
  __syncthreads();
  if (threadIdx.x == 0) g_stage_clk[blockIdx.y * gridDim.x + blockIdx.x] = clock64() - c0;
}
// The median and 90th percentile of g_stage_clk over the 128 CTAs of the last launch, in us.
static void stage_percentiles(int clk, double& p50, double& p90) {
  CK(cudaDeviceSynchronize());
  std::vector<unsigned long long> h(128);
  CK(cudaMemcpyFromSymbol(h.data(), g_stage_clk, 128 * 8));
  std::sort(h.begin(), h.end());
  p50 = h[64] / (clk * 1e-3);
  p90 = h[115] / (clk * 1e-3);
}
// M rows of 512 bf16 chunks (k slice 4096 at kb, row m at A + m * lda) by cp.async into rows
// `rowstride` bytes apart, in the kernel's padded chunk positions or flat.
__device__ __forceinline__ void stage_rows(uint8_t* sa, const uint16_t* A, int M, int lda, int kb, int rowstride, bool padded) {
  using SB = SkinnyB<OP_FP4_TILE>;  // the kernel's padded rows
  for (int i = threadIdx.x; i < 512 * M; i += 512) {
    const int m = i / 512, q = i % 512;
    cp_async16(smem_u32(sa + m * rowstride + (padded ? SB::chunk_off(m, q) : q * 16)), A + static_cast<size_t>(m) * lda + kb + q * 8, 16);
  }
  cp_async_commit();
}
__global__ void __launch_bounds__(512, 1) stage_only(const uint8_t* A, int bytes, int own) {
  extern __shared__ uint4 sm[];
  const unsigned long long c0 = clock64();
  const uint8_t* src = A + (own ? (size_t)(blockIdx.y * gridDim.x + blockIdx.x) * bytes : (size_t)blockIdx.y * bytes);
  for (int i = threadIdx.x; i < bytes / 16; i += 512) cp_async16(smem_u32(sm + i), src + (size_t)i * 16, 16);
  cp_async_commit();
  stage_done(c0);
}
// The small-M kernel's own staging of bf16 A for bit-placed weights (M rows of the K slice into its
// padded rows, skinny_stage_a_async), alone: lda = K = 8192, slices of 4096.
__global__ void __launch_bounds__(512, 1) stage_skinny(const uint16_t* A, int M) {
  extern __shared__ uint4 sm[];
  const unsigned long long c0 = clock64();
  using SB = SkinnyB<OP_FP4_TILE_BP>;
  skinny_stage_a_async<SB, 512>(reinterpret_cast<uint8_t*>(sm), A, M, 8192, blockIdx.y * 4096, 4096, SB::row_bytes(4096));
  stage_done(c0);
}
// The same copy with one change: variant 1 writes rows flat (no pads), 2 reads the slice as one
// contiguous range (rows 8 KiB apart instead of 16), 3 both (= stage_only); 4 and 5: flat rows
// 32 and 16 bytes past a multiple of 128 (rows 8224 and 8208 bytes apart).
__global__ void __launch_bounds__(512, 1) stage_skinny_var(const uint16_t* A, int M, int var) {
  extern __shared__ uint4 sm[];
  const unsigned long long c0 = clock64();
  const bool padded = var < 4 && !(var & 1);  // variants 0, 2
  const int rowstride = var == 4 ? 8224 : var == 5 ? 8208 : padded ? SkinnyB<OP_FP4_TILE>::row_bytes(4096) : 8192;
  const int lda = (var & 2) ? 4096 : 8192, kb = (var & 2) ? blockIdx.y * 4096 * 16 : blockIdx.y * 4096;
  stage_rows(reinterpret_cast<uint8_t*>(sm), A, M, lda, kb, rowstride, padded);
  stage_done(c0);
}
// The padded (flat = 0) or flat copy of M = 16 followed, as in the kernel, by `loads` 16-byte
// weight-like loads per thread from a buffer larger than L2 (8: the kernel's 64 KiB of weights per
// SM in flight), consumed after the staging; stage_mix_c launches in clusters of 2 like the kernel.
__device__ __forceinline__ void stage_mix_body(const uint16_t* A, int flat, const uint8_t* W, int loads, int* sink) {
  const bool rows = loads < 0;  // the kernel's own pattern: lane (g, t) 16 bytes of rows g and g + 8, 4 steps
  loads = rows ? 8 : loads;
  extern __shared__ uint4 sm[];
  const unsigned long long c0 = clock64();
  stage_rows(reinterpret_cast<uint8_t*>(sm), A, 16, 8192, blockIdx.y * 4096, flat ? 8192 : SkinnyB<OP_FP4_TILE>::row_bytes(4096), !flat);
  uint32_t x = 0;
  uint4 w[8];
  const uint8_t* wp = W + ((size_t)(blockIdx.y * gridDim.x + blockIdx.x) * 512 + threadIdx.x) * 16;
  const int warp = threadIdx.x >> 5, g = (threadIdx.x >> 2) & 7, t = threadIdx.x & 3;
  const uint8_t* rp = W + (size_t)(blockIdx.x * 128 + (warp & 7) * 16 + g) * 4096 + blockIdx.y * 2048 + (warp >> 3) * 1024 + t * 16;
#pragma unroll
  for (int j = 0; j < 8; ++j)
    if (j < loads) w[j] = ldg_stream128(rows ? rp + (j & 1) * 8 * 4096 + (j >> 1) * 64 : wp + (size_t)j * 128 * 512 * 16);
  stage_done(c0);
#pragma unroll
  for (int j = 0; j < 8; ++j)
    if (j < loads) x ^= w[j].x ^ w[j].w;
  if (x == 0x9e3779b9u) *sink = 1;
}
__global__ void __launch_bounds__(512, 1) stage_mix(const uint16_t* A, int flat, const uint8_t* W, int loads, int* sink) {
  stage_mix_body(A, flat, W, loads, sink);
}
__global__ void __launch_bounds__(512, 1) __cluster_dims__(1, 2, 1) stage_mix_c(const uint16_t* A, int flat, const uint8_t* W, int loads, int* sink) {
  stage_mix_body(A, flat, W, loads, sink);
}

static void run_staging() {
  int clk;
  CK(cudaDeviceGetAttribute(&clk, cudaDevAttrClockRate, 0));
  uint8_t* big = static_cast<uint8_t*>(dev_random((size_t)128 * 131072, 77));
  set_smem(reinterpret_cast<const void*>(stage_only), 200 * 1024);
  {
    uint8_t* W = static_cast<uint8_t*>(dev_random((size_t)8 * 128 * 512 * 16 * 8, 99));  // 64 MiB: 8 launches' worth
    int* sink;
    CK(cudaMalloc(&sink, 4));
    const int smem = 16 * SkinnyB<OP_FP4_TILE>::row_bytes(4096) + 16 * 1024;  // the kernel's size at M = 16
    set_smem(reinterpret_cast<const void*>(stage_mix), smem);
    set_smem(reinterpret_cast<const void*>(stage_mix_c), smem);
    for (int cl = 0; cl < 2; ++cl)
      for (int flat = 0; flat < 2; ++flat)
        for (int loads : {0, 8, -1}) {
          for (int r = 0; r < 8; ++r) {
            const uint8_t* wr = loads < 0 ? W : W + (size_t)r * 128 * 512 * 16 * 8;  // rows: the whole 64 MiB
            if (cl) stage_mix_c<<<dim3(64, 2), 512, smem>>>(reinterpret_cast<const uint16_t*>(big), flat, wr, loads, sink);
            else stage_mix<<<dim3(64, 2), 512, smem>>>(reinterpret_cast<const uint16_t*>(big), flat, wr, loads, sink);
          }
          double p50, p90;
          stage_percentiles(clk, p50, p90);
          std::printf("M = 16 %s copy, %s after it%s: staged p50 %.2f us, p90 %.2f us\n", flat ? "flat" : "padded",
                      loads < 0 ? "the kernel's ring of weight loads (rows g, g+8)" : loads ? "8 coalesced 16-byte loads per thread" : "no loads",
                      cl ? ", clusters of 2" : "", p50, p90);
        }
    cudaFree(W);
    cudaFree(sink);
  }
  for (int extra : {0, 64 * 1024})  // unused shared memory: a larger carve-out, a smaller L1
  for (int bytes : {8192, 131072})
    for (int own = 0; own < 2; ++own) {
      for (int r = 0; r < 5; ++r) stage_only<<<dim3(64, 2), 512, bytes + extra>>>(big, bytes, own);
      double p50, p90;
      stage_percentiles(clk, p50, p90);
      std::printf("staging alone %6d B per CTA (%3d KiB shared), %s: p50 %.2f us, p90 %.2f us\n", bytes, (bytes + extra) >> 10,
                  own ? "own bytes per CTA" : "the same bytes for the CTAs of a slice", p50, p90);
    }
  for (int M : {1, 8, 16}) {
    const int smem = M * SkinnyB<OP_FP4_TILE_BP>::row_bytes(4096);
    set_smem(reinterpret_cast<const void*>(stage_skinny), smem);
    for (int r = 0; r < 5; ++r) stage_skinny<<<dim3(64, 2), 512, smem>>>(reinterpret_cast<const uint16_t*>(big), M);
    double p50, p90;
    stage_percentiles(clk, p50, p90);
    std::printf("the small-M kernel's staging alone, M = %2d (%3d KiB): p50 %.2f us, p90 %.2f us\n", M, smem >> 10, p50, p90);
    for (int var = 0; var < 6; ++var) {
      set_smem(reinterpret_cast<const void*>(stage_skinny_var), smem);  // the padded rows are the largest
      for (int r = 0; r < 5; ++r) stage_skinny_var<<<dim3(64, 2), 512, smem>>>(reinterpret_cast<const uint16_t*>(big), M, var);
      stage_percentiles(clk, p50, p90);
      std::printf("  variant %d (%s rows, %s source): p50 %.2f us, p90 %.2f us\n", var, var == 4 ? "flat +32" : var == 5 ? "flat +16" : var & 1 ? "flat" : "padded",
                  var & 2 ? "contiguous" : "strided", p50, p90);
    }
  }
  const DecodeSets in;
  for (int M : {1, 8, 16}) {
    double t[2][2];
    for (int a4 = 0; a4 < 2; ++a4)
      for (int hot = 0; hot < 2; ++hot)
        t[a4][hot] = time_us([&](int i) { return in.launch(a4, M, hot ? 0 : i, i); }, DecodeSets::sets);
    std::printf("activations M=%2d  w4a16 rotated %.2f us, hot %.2f us  w4a4 rotated %.2f us, hot %.2f us\n", M, t[0][0],
                t[0][1], t[1][0], t[1][1]);
  }
}

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "check";
  cudaDeviceProp p;
  CK(cudaGetDeviceProperties(&p, 0));
  std::printf("device: %s, %d SMs, L2 %d MiB\n", p.name, p.multiProcessorCount, p.l2CacheSize >> 20);
  if (mode == "check" || mode == "all") run_checks();
  if (mode == "time" || mode == "all") run_timing(argc > 2 && std::string(argv[2]) == "small");
  if (mode == "prof") run_prof();
  if (mode == "stamp") run_stamp();
  if (mode == "msweep") run_msweep();
  if (mode == "staging") run_staging();
  if (mode == "clusters") run_clusters();
  if (mode == "ab") run_ab(argc > 2 ? std::atoi(argv[2]) : 10);
  if (mode == "pdl") run_pdl(argc > 2 ? std::atoi(argv[2]) : 10);
  if (mode == "profm") {  // the bit-placed 16x16 W4A16 (W4A4: profm a4) kernel at M = 1, 8, 9, 16, three launches each, for ncu
    const DecodeSets in;
    const bool a4 = argc > 2 && std::string(argv[2]) == "a4";
    for (int M : {1, 8, 9, 16})
      for (int r = 0; r < 3; ++r) in.launch(a4, M, r, r);
    CK(cudaDeviceSynchronize());
  }
  std::printf("%d check failures\n", failures);
  return failures == 0 ? 0 : 1;
}
