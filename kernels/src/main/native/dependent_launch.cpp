// JNI shim for org.longspark.kernels.cuda.DependentLaunch: cuLaunchKernelEx with programmatic
// stream serialization, which JCuda 12.6 does not wrap. The launched kernel may start while the
// kernels before it in the stream still run; it must execute griddepcontrol.wait before touching
// memory they write (gemm_common.cuh: grid_dependency_wait).
//
// libcuda.so.1 is found at run time (JCuda has already loaded it), so this library links only the
// C/C++ runtime and libdl and loads on machines without a GPU too (it then reports why it cannot launch).
#include <cuda.h>
#include <dlfcn.h>
#include <jni.h>

namespace {

using LaunchEx = CUresult (*)(const CUlaunchConfig*, CUfunction, void**, void**);
constexpr int kMaxParams = 64;

LaunchEx resolve() {
  static LaunchEx fn = [] {
    void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
    if (lib == nullptr) lib = dlopen("libcuda.so.1", RTLD_NOW);
    return lib == nullptr ? nullptr : reinterpret_cast<LaunchEx>(dlsym(lib, "cuLaunchKernelEx"));
  }();
  return fn;
}

}  // namespace

extern "C" {

// 0 when cuLaunchKernelEx was found, else -1.
JNIEXPORT jint JNICALL Java_org_longspark_kernels_cuda_DependentLaunch_probe0(JNIEnv*, jclass) {
  return resolve() != nullptr ? 0 : -1;
}

// Kernel parameters come as one 64-bit slot each (pointer values, or 32-bit values in the low
// half: x86-64 is little-endian, and the driver copies each parameter's own size from its slot).
// Returns the CUresult (CUDA_ERROR_INVALID_VALUE for more than kMaxParams parameters,
// CUDA_ERROR_NOT_FOUND without the driver entry).
JNIEXPORT jint JNICALL Java_org_longspark_kernels_cuda_DependentLaunch_launch0(
    JNIEnv* env, jclass, jlong function, jint gx, jint gy, jint gz, jint bx, jint by, jint bz, jint shared,
    jlong stream, jlongArray slots) {
  const LaunchEx fn = resolve();
  const jsize n = env->GetArrayLength(slots);
  if (fn == nullptr) return CUDA_ERROR_NOT_FOUND;
  if (n > kMaxParams) return CUDA_ERROR_INVALID_VALUE;
  jlong values[kMaxParams];
  void* params[kMaxParams];
  env->GetLongArrayRegion(slots, 0, n, values);
  for (jsize i = 0; i < n; ++i) params[i] = &values[i];
  CUlaunchAttribute attr = {};
  attr.id = CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION;
  attr.value.programmaticStreamSerializationAllowed = 1;
  CUlaunchConfig cfg = {};
  cfg.gridDimX = gx;
  cfg.gridDimY = gy;
  cfg.gridDimZ = gz;
  cfg.blockDimX = bx;
  cfg.blockDimY = by;
  cfg.blockDimZ = bz;
  cfg.sharedMemBytes = shared;
  cfg.hStream = reinterpret_cast<CUstream>(stream);
  cfg.attrs = &attr;
  cfg.numAttrs = 1;
  return fn(&cfg, reinterpret_cast<CUfunction>(function), params, nullptr);
}

}  // extern "C"
