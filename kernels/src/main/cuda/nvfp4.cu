// NVFP4 quantize / dequantize kernels: the CUDA twin of org.longspark.kernels.nvfp4.Nvfp4Quantizer.
// Every float32 operation is the Java codec's, in the same order (DESIGN.md, "NVFP4"), so the two
// agree bit for bit; the parity test is Nvfp4CudaQuantizerTest. FMA contraction is off for this
// file (a fused multiply-add rounds once where Java rounds twice):
// nvcc-flags: -fmad=false
//
// Work split: a thread encodes 16-element row segments. ROW_1x16: consecutive threads take
// consecutive segments (coalesced 16-byte loads), SEGMENTS_IN_FLIGHT each. TILE_16x16: a half-warp
// takes one tile, lane r its row r, and the tile's amax is a 16-lane shuffle reduction.
//
// The global amax comes first, from nvfp4_amax_* (or from whoever produced the tensor), in a
// 16-byte status word: [0] amax as float bits (non-negative floats order like their bits, so
// atomicMax on the bits is a float max), [2..3] ULLONG_MAX - (first non-finite index), 0 if none
// (a max of the complement is a min of the index, and all-zero bytes mean "nothing seen").

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <stdint.h>

#define FLT_MAX_F 3.402823466e+38f

namespace {

enum Input { F32 = 0, BF16 = 1 };
enum Layout { ROW = 0, TILE = 1 };
enum Rounding { NEAREST = 0, STOCHASTIC = 1 };
enum Rule { STATIC6 = 0, FOUR_OVER_SIX = 1 };

struct Status {
  unsigned int amax_bits;
  unsigned int pad;
  unsigned long long bad_complement;
};

// ---------------------------------------------------------------------------------------------
// Element arithmetic (mirrors E2M1, E4M3, Philox4x32, Hadamard16 in Java)

__device__ __forceinline__ int e2m1_magnitude(float a) {
  return (a > 0.25f) + (a >= 0.75f) + (a > 1.25f) + (a >= 1.75f) + (a > 2.5f) + (a >= 3.5f) + (a > 5.0f);
}

// Arithmetic rather than a table: a table indexed at run time would live in local memory.
__device__ __forceinline__ float e2m1_value(int code) {
  int m = code & 7;
  float mag = m < 2 ? m * 0.5f : __uint_as_float(((126u + (m >> 1)) << 23) | ((unsigned)(m & 1) << 22));
  return (code & 8) ? -mag : mag;
}

__device__ __forceinline__ int e2m1_magnitude_stochastic(float a, uint32_t random) {
  if (a >= 6.0f) return 7;
  // Steps are powers of two, so multiplying by the reciprocal is exact (and cheaper than dividing).
  float step = a < 2.0f ? 0.5f : (a < 4.0f ? 1.0f : 2.0f);
  float inv_step = a < 2.0f ? 2.0f : (a < 4.0f ? 1.0f : 0.5f);
  float lo = __fmul_rn(floorf(__fmul_rn(a, inv_step)), step);
  float frac = __fmul_rn(__fsub_rn(a, lo), inv_step);
  float u = __fmul_rn((float)(random >> 8), 0x1p-24f);
  int lo_code = e2m1_magnitude(lo);
  return u < frac ? lo_code + 1 : lo_code;
}

__device__ __forceinline__ uint8_t e4m3_encode(float x) {
  return (uint8_t)__nv_cvt_float_to_fp8(x, __NV_SATFINITE, __NV_E4M3);
}

__device__ __forceinline__ float e4m3_decode(uint8_t bits) {
  __half_raw h = __nv_cvt_fp8_to_halfraw((__nv_fp8_storage_t)bits, __NV_E4M3);
  return __half2float(__half(h));
}

__device__ __forceinline__ uint4 philox4x32_10(uint32_t c0, uint32_t c1, uint32_t k0, uint32_t k1) {
  uint32_t c2 = 0, c3 = 0;
#pragma unroll
  for (int round = 0; round < 10; round++) {
    uint32_t hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
    uint32_t hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
    uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return make_uint4(c0, c1, c2, c3);
}

__device__ __forceinline__ void hadamard16(float (&v)[16]) {
  const float signs[16] = {1, 1, 1, -1, 1, -1, -1, -1, -1, -1, -1, 1, -1, 1, -1, -1};
#pragma unroll
  for (int j = 0; j < 16; j++) v[j] = signs[j] < 0 ? -v[j] : v[j];
#pragma unroll
  for (int h = 1; h < 16; h <<= 1) {
#pragma unroll
    for (int i = 0; i < 16; i++) {
      if ((i & h) == 0) {
        float a = v[i], b = v[i + h];
        v[i] = __fadd_rn(a, b);
        v[i + h] = __fsub_rn(a, b);
      }
    }
  }
#pragma unroll
  for (int j = 0; j < 16; j++) v[j] = __fmul_rn(v[j], 0.25f);
}

__device__ __forceinline__ float global_encode_scale(float amax, int rule) {
  float bound = rule == FOUR_OVER_SIX ? 256.0f * 6.0f : 448.0f * 6.0f;
  float s = fminf(__fdiv_rn(bound, amax), FLT_MAX_F);
  return (amax == 0.0f || s == 0.0f) ? 1.0f : s;
}

// Loads the 16 elements at x + offset (element index) as float32.
template <int IN>
__device__ __forceinline__ void load16(const void* x, long long offset, float (&v)[16]) {
  if (IN == F32) {
    const float4* p = reinterpret_cast<const float4*>(static_cast<const float*>(x) + offset);
#pragma unroll
    for (int q = 0; q < 4; q++) {
      float4 f = __ldg(p + q);
      v[4 * q] = f.x; v[4 * q + 1] = f.y; v[4 * q + 2] = f.z; v[4 * q + 3] = f.w;
    }
  } else {
    const uint4* p = reinterpret_cast<const uint4*>(static_cast<const uint16_t*>(x) + offset);
#pragma unroll
    for (int q = 0; q < 2; q++) {
      uint4 u = __ldg(p + q);
      uint32_t w[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
      for (int k = 0; k < 4; k++) {
        v[8 * q + 2 * k] = __uint_as_float(w[k] << 16);
        v[8 * q + 2 * k + 1] = __uint_as_float(w[k] & 0xFFFF0000u);
      }
    }
  }
}

// Codes for one 16-element segment under scale code sf; returns the float32 squared error of the
// decoded segment summed in element order starting from `err` (only 4/6 uses it).
template <int RND>
__device__ __forceinline__ float encode16(const float (&v)[16], uint8_t sf, float s_dec, long long first_index,
                                          unsigned long long seed, uint32_t (&codes)[2], float err,
                                          bool want_error) {
  float sfv = e4m3_decode(sf);
  float mult = fminf(__fdiv_rn(1.0f, __fmul_rn(sfv, s_dec)), FLT_MAX_F);
  uint32_t rnd[16];
  if (RND == STOCHASTIC) {
#pragma unroll
    for (int g = 0; g < 4; g++) {
      unsigned long long group = (unsigned long long)(first_index + 4 * g) >> 2;
      uint4 r = philox4x32_10((uint32_t)group, (uint32_t)(group >> 32), (uint32_t)seed, (uint32_t)(seed >> 32));
      rnd[4 * g] = r.x; rnd[4 * g + 1] = r.y; rnd[4 * g + 2] = r.z; rnd[4 * g + 3] = r.w;
    }
  }
  codes[0] = codes[1] = 0;
#pragma unroll
  for (int j = 0; j < 16; j++) {
    float y = __fmul_rn(v[j], mult);
    float a = fabsf(y);
    int mag = RND == STOCHASTIC ? e2m1_magnitude_stochastic(a, rnd[j]) : e2m1_magnitude(a);
    int code = ((__float_as_uint(y) >> 28) & 8) | mag;
    codes[j >> 3] |= (uint32_t)code << ((j & 7) * 4);
    if (want_error) {
      float d = __fsub_rn(__fmul_rn(__fmul_rn(e2m1_value(code), sfv), s_dec), v[j]);
      err = __fadd_rn(err, __fmul_rn(d, d));
    }
  }
  return err;
}

// The tile's error in row-major element order: lane r (r = 0..15 of the half-warp) adds its 16
// squared errors to the running sum of rows 0..r-1, passed along one lane at a time.
__device__ __forceinline__ float tile_error_in_order(const float (&v)[16],
                                                     const uint32_t (&codes)[2], float sfv, float s_dec,
                                                     int lane16) {
  float sq[16];
#pragma unroll
  for (int j = 0; j < 16; j++) {
    int code = (codes[j >> 3] >> ((j & 7) * 4)) & 0xF;
    float d = __fsub_rn(__fmul_rn(__fmul_rn(e2m1_value(code), sfv), s_dec), v[j]);
    sq[j] = __fmul_rn(d, d);
  }
  float run = 0.0f;
#pragma unroll
  for (int k = 0; k < 16; k++) {
    if (lane16 == k) {
#pragma unroll
      for (int j = 0; j < 16; j++) run = __fadd_rn(run, sq[j]);
    }
    run = __shfl_sync(0xFFFFFFFFu, run, k, 16);
  }
  return run;
}

// ---------------------------------------------------------------------------------------------
// Kernels

template <bool HADAMARD>
__device__ __forceinline__ void amax_segment(float (&v)[16], long long first, float& m, unsigned long long& bad) {
#pragma unroll
  for (int j = 0; j < 16; j++) {
    if (!isfinite(v[j])) {
      unsigned long long c = ~0ull - (unsigned long long)(first + j);
      bad = c > bad ? c : bad;
    }
  }
  if (HADAMARD) hadamard16(v);
  // Non-finite values (inputs, or a transform that overflowed) make amax non-finite, which the
  // host reports; fmaxf alone would drop a NaN.
#pragma unroll
  for (int j = 0; j < 16; j++) m = isnan(v[j]) ? __int_as_float(0x7f800000) : fmaxf(m, fabsf(v[j]));
}

// 16-element segments a thread loads before it works on any of them, for more bytes in flight
// (Nvfp4CudaQuantizer sizes the ROW_1x16 encode grid with the same number). Measured on H100:
// one segment reached 77% of a device copy's bandwidth, two 93% (float32 input); four did not
// help BF16 input (docs/benchmarks.md).
constexpr int SEGMENTS_IN_FLIGHT = 2;

// Grid-stride over 16-element groups, SEGMENTS_IN_FLIGHT at a time.
template <int IN, bool HADAMARD>
__device__ void amax_kernel(const void* x, long long n, Status* status) {
  constexpr int U = SEGMENTS_IN_FLIGHT;
  float m = 0.0f;
  unsigned long long bad = 0;
  const long long groups = n / 16;
  const long long stride = (long long)gridDim.x * blockDim.x;
  for (long long g = blockIdx.x * (long long)blockDim.x + threadIdx.x; g < groups; g += U * stride) {
    float v[U][16];
#pragma unroll
    for (int k = 0; k < U; k++) {
      if (g + k * stride < groups) load16<IN>(x, (g + k * stride) * 16, v[k]);
    }
#pragma unroll
    for (int k = 0; k < U; k++) {
      if (g + k * stride < groups) amax_segment<HADAMARD>(v[k], (g + k * stride) * 16, m, bad);
    }
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    m = fmaxf(m, __shfl_xor_sync(0xFFFFFFFFu, m, o));
    unsigned long long ob = __shfl_xor_sync(0xFFFFFFFFu, bad, o);
    bad = ob > bad ? ob : bad;
  }
  if ((threadIdx.x & 31) == 0) {
    atomicMax(&status->amax_bits, __float_as_uint(m));
    if (bad) atomicMax(&status->bad_complement, bad);
  }
}

// Scale code and packed codes of one 16-element segment (v is transformed in place when HADAMARD).
// TILE: the 16 lanes of a half-warp hold the 16 rows of one tile and share its scale.
template <int LAYOUT, int RND, int RULE, bool HADAMARD>
__device__ __forceinline__ uint8_t encode_segment(float (&v)[16], long long first, unsigned long long seed,
                                                  float s_enc, float s_dec, int lane16, uint32_t (&codes)[2]) {
  if (HADAMARD) hadamard16(v);
  float bamax = 0.0f;
#pragma unroll
  for (int j = 0; j < 16; j++) bamax = fmaxf(bamax, fabsf(v[j]));
  if (LAYOUT == TILE) {
#pragma unroll
    for (int o = 8; o > 0; o >>= 1) bamax = fmaxf(bamax, __shfl_xor_sync(0xFFFFFFFFu, bamax, o, 16));
  }
  const bool row_error = RULE == FOUR_OVER_SIX && LAYOUT == ROW;
  uint8_t sf = e4m3_encode(__fmul_rn(bamax, __fmul_rn(s_enc, 1.0f / 6.0f)));
  float err = encode16<RND>(v, sf, s_dec, first, seed, codes, 0.0f, row_error);
  if (RULE == FOUR_OVER_SIX) {
    uint8_t sf4 = e4m3_encode(__fmul_rn(bamax, __fmul_rn(s_enc, 0.25f)));
    uint32_t codes4[2];
    float err4 = encode16<RND>(v, sf4, s_dec, first, seed, codes4, 0.0f, row_error);
    if (LAYOUT == TILE) {
      err = tile_error_in_order(v, codes, e4m3_decode(sf), s_dec, lane16);
      err4 = tile_error_in_order(v, codes4, e4m3_decode(sf4), s_dec, lane16);
    }
    if (err4 < err) {
      sf = sf4;
      codes[0] = codes4[0];
      codes[1] = codes4[1];
    }
  }
  return sf;
}

template <int IN, int LAYOUT, int RND, int RULE, bool HADAMARD>
__device__ void quantize_kernel(const void* x, int rows, int cols, unsigned long long seed, const Status* status,
                                uint8_t* packed, uint8_t* scales, float* global_decode_scale) {
  const float amax = __uint_as_float(status->amax_bits);
  const float s_enc = global_encode_scale(amax, RULE);
  const float s_dec = __fdiv_rn(1.0f, s_enc);
  if (blockIdx.x == 0 && threadIdx.x == 0) *global_decode_scale = s_dec;
  const int blocks_per_row = cols / 16;
  const long long segments = (long long)rows * blocks_per_row;

  if (LAYOUT == ROW) {
    const long long base = blockIdx.x * (long long)blockDim.x * SEGMENTS_IN_FLIGHT + threadIdx.x;
    float v[SEGMENTS_IN_FLIGHT][16];
#pragma unroll
    for (int k = 0; k < SEGMENTS_IN_FLIGHT; k++) {
      long long segment = base + k * blockDim.x;
      if (segment < segments) load16<IN>(x, segment * 16, v[k]);
    }
#pragma unroll
    for (int k = 0; k < SEGMENTS_IN_FLIGHT; k++) {
      long long segment = base + k * blockDim.x;
      if (segment < segments) {
        uint32_t codes[2];
        uint8_t sf = encode_segment<LAYOUT, RND, RULE, HADAMARD>(v[k], segment * 16, seed, s_enc, s_dec, 0, codes);
        *reinterpret_cast<uint2*>(packed + segment * 8) = make_uint2(codes[0], codes[1]);
        scales[segment] = sf;
      }
    }
  } else {
    long long tile = (blockIdx.x * (long long)blockDim.x + threadIdx.x) >> 4;
    const int lane16 = threadIdx.x & 15;
    // An idle half-warp still joins its partner's full-mask shuffles, working on tile 0.
    const bool active = tile < segments / 16;
    if (!active) tile = 0;
    const long long segment = (tile / blocks_per_row * 16 + lane16) * blocks_per_row + tile % blocks_per_row;
    float v[16];
    load16<IN>(x, segment * 16, v);
    uint32_t codes[2];
    uint8_t sf = encode_segment<LAYOUT, RND, RULE, HADAMARD>(v, segment * 16, seed, s_enc, s_dec, lane16, codes);
    if (!active) return;
    *reinterpret_cast<uint2*>(packed + segment * 8) = make_uint2(codes[0], codes[1]);
    if (lane16 == 0) scales[tile] = sf;
  }
}

// Decodes to float32: (e2m1 * e4m3) * global, the Java dequantize() order.
template <int LAYOUT>
__device__ void dequantize_kernel(const uint8_t* packed, const uint8_t* scales, const float* global_decode_scale,
                                  int rows, int cols, float* out) {
  long long segment = blockIdx.x * (long long)blockDim.x + threadIdx.x;
  const int blocks_per_row = cols / 16;
  if (segment >= (long long)rows * blocks_per_row) return;
  long long r = segment / blocks_per_row, b = segment % blocks_per_row;
  long long scale_index = LAYOUT == ROW ? segment : (r / 16) * blocks_per_row + b;
  float sfv = e4m3_decode(scales[scale_index]);
  float g = *global_decode_scale;
  uint2 c = *reinterpret_cast<const uint2*>(packed + segment * 8);
  uint32_t w[2] = {c.x, c.y};
  float4* o = reinterpret_cast<float4*>(out + segment * 16);
#pragma unroll
  for (int q = 0; q < 4; q++) {
    float f[4];
#pragma unroll
    for (int k = 0; k < 4; k++) {
      int j = 4 * q + k;
      f[k] = __fmul_rn(__fmul_rn(e2m1_value((w[j >> 3] >> ((j & 7) * 4)) & 0xF), sfv), g);
    }
    o[q] = make_float4(f[0], f[1], f[2], f[3]);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Entry points: nvfp4_amax_<in>[_hadamard], nvfp4_quantize_<in>_<layout>_<rounding>_<rule>_<h0|h1>,
// nvfp4_dequantize_<layout>. Names are built by org.longspark.kernels.nvfp4.Nvfp4CudaQuantizer.

#define AMAX(NAME, IN, H)                                                                   \
  extern "C" __global__ void __launch_bounds__(256) NAME(const void* x, long long n, Status* status) { \
    amax_kernel<IN, H>(x, n, status);                                                       \
  }
AMAX(nvfp4_amax_f32, F32, false)
AMAX(nvfp4_amax_bf16, BF16, false)
AMAX(nvfp4_amax_f32_hadamard, F32, true)
AMAX(nvfp4_amax_bf16_hadamard, BF16, true)

#define QUANTIZE(NAME, IN, LAYOUT, RND, RULE, H)                                                            \
  extern "C" __global__ void __launch_bounds__(256)                                                        \
      NAME(const void* x, int rows, int cols, unsigned long long seed, const Status* status, uint8_t* packed, \
           uint8_t* scales, float* gds) {                                                                   \
    quantize_kernel<IN, LAYOUT, RND, RULE, H>(x, rows, cols, seed, status, packed, scales, gds);          \
  }
#define QUANTIZE_H(IN, in, LAYOUT, layout, RND, rnd, RULE, rule)                         \
  QUANTIZE(nvfp4_quantize_##in##_##layout##_##rnd##_##rule##_h0, IN, LAYOUT, RND, RULE, false) \
  QUANTIZE(nvfp4_quantize_##in##_##layout##_##rnd##_##rule##_h1, IN, LAYOUT, RND, RULE, true)
#define QUANTIZE_RULE(IN, in, LAYOUT, layout, RND, rnd)              \
  QUANTIZE_H(IN, in, LAYOUT, layout, RND, rnd, STATIC6, static6)     \
  QUANTIZE_H(IN, in, LAYOUT, layout, RND, rnd, FOUR_OVER_SIX, fourOverSix)
#define QUANTIZE_RND(IN, in, LAYOUT, layout)                        \
  QUANTIZE_RULE(IN, in, LAYOUT, layout, NEAREST, nearest)           \
  QUANTIZE_RULE(IN, in, LAYOUT, layout, STOCHASTIC, stochastic)
#define QUANTIZE_LAYOUT(IN, in)          \
  QUANTIZE_RND(IN, in, ROW, row)         \
  QUANTIZE_RND(IN, in, TILE, tile)
QUANTIZE_LAYOUT(F32, f32)
QUANTIZE_LAYOUT(BF16, bf16)

extern "C" __global__ void __launch_bounds__(256)
    nvfp4_dequantize_row(const uint8_t* packed, const uint8_t* scales, const float* gds, int rows, int cols, float* out) {
  dequantize_kernel<ROW>(packed, scales, gds, rows, cols, out);
}
extern "C" __global__ void __launch_bounds__(256)
    nvfp4_dequantize_tile(const uint8_t* packed, const uint8_t* scales, const float* gds, int rows, int cols, float* out) {
  dequantize_kernel<TILE>(packed, scales, gds, rows, cols, out);
}
