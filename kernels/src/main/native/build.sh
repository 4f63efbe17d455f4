#!/usr/bin/env bash
# Builds the JNI shim (dependent_launch.cpp) into a class-path resource (called by Maven):
#   OUTPUT_DIR/liblongspark_cuda_launch.so   Linux x86-64; links the C/C++ runtime and libdl, not libcuda
# Needs nvcc (as the compiler driver: it knows where cuda.h is; host compiler g++) and the JDK's JNI
# headers. Without them the build goes on: DependentLaunch then reports that the shim is missing,
# and launches fall back to plain cuLaunchKernel.
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_DIR JAVA_HOME}
jdk=${2:?usage: build.sh OUTPUT_DIR JAVA_HOME}
src=$(cd "$(dirname "$0")" && pwd)
nvcc=${NVCC:-$(command -v nvcc || true)}
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
if [ "$(uname -s -m)" != "Linux x86_64" ] || [ -z "$nvcc" ] || [ ! -f "$jdk/include/jni.h" ]; then
  echo "[WARNING] CUDA launch shim not built (needs Linux x86-64, nvcc and the JDK's jni.h):"
  echo "          small-M GEMMs will be launched without programmatic dependent launch"
  exit 0
fi
lib="$out/liblongspark_cuda_launch.so"
[ -f "$lib" ] && [ "$lib" -nt "$src/dependent_launch.cpp" ] && [ "$lib" -nt "$0" ] && exit 0
mkdir -p "$out"
echo "nvcc: dependent_launch.cpp (host code only)"
"$nvcc" -std=c++17 -O2 -shared --cudart none -Xcompiler -fPIC,-Wall,-Werror -I "$jdk/include" -I "$jdk/include/linux" \
  -o "$lib" "$src/dependent_launch.cpp" -ldl
