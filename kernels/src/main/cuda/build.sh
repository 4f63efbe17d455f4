#!/usr/bin/env bash
# Compiles every kernels/src/main/cuda/*.cu into class-path resources (called by Maven's compile phase):
#   <name>.sm_90.ptx      PTX for compute_90, JIT-compiled by the driver on any GPU of cc >= 9.0
#   <name>.sm_90a.cubin   machine code for Hopper (sm_90a: wgmma, setmaxnreg)
# A file may ask for extra flags with a line "// nvcc-flags: ..." (the NVFP4 codec turns off FMA
# contraction so its float32 arithmetic matches Java's operation by operation).
# Without nvcc the build goes on; GPU use then reports "kernels not built". A compile error fails it.
set -euo pipefail
shopt -s nullglob
out=${1:?usage: build.sh OUTPUT_DIR}
src=$(cd "$(dirname "$0")" && pwd)
nvcc=${NVCC:-$(command -v nvcc || true)}
[ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
if [ -z "$nvcc" ]; then
  echo "[WARNING] nvcc not found: CUDA kernels not built (GPU use will report 'kernels not built')"
  exit 0
fi
mkdir -p "$out"
headers=$(ls "$src"/*.cuh 2>/dev/null || true)
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  flags=$(sed -n 's#^// nvcc-flags: ##p' "$cu")
  ptx="$out/$name.sm_90.ptx"; cubin="$out/$name.sm_90a.cubin"
  stale=0
  for dep in "$cu" $headers "$0"; do
    { [ "$dep" -nt "$ptx" ] || [ "$dep" -nt "$cubin" ]; } && stale=1
  done
  [ -f "$ptx" ] && [ -f "$cubin" ] && [ $stale = 0 ] && continue
  echo "nvcc: $name.cu $flags"
  common=(-std=c++17 -O3 -lineinfo -I "$src" $flags)
  "$nvcc" "${common[@]}" -ptx -arch=compute_90 -o "$ptx" "$cu"
  "$nvcc" "${common[@]}" -cubin -gencode=arch=compute_90a,code=sm_90a -Xptxas -warn-spills -o "$cubin" "$cu"
done
