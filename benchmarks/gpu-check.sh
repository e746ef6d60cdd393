#!/usr/bin/env bash
# Proves segstream's GPU route on a machine with an NVIDIA GPU: builds the GPU build (-Pgpu,
# onnxruntime_gpu) and runs io.segstream.bench.GpuCheck, which times inference at batch 1, 8 and 32 on
# cpu, cuda and tensorrt (fp16; int8 for 8-bit models) and reports argmax agreement with the CPU.
#
#   benchmarks/gpu-check.sh [MODELS] [ROUNDS]     (run from the repository root)
#   MODELS: comma-separated names (default: the default model and the full-width VOC model at 513)
#
# It checks first what the route needs and stops with one line naming what is missing:
#   a JDK 17+ (java), an NVIDIA driver and GPU (nvidia-smi, libcuda.so.1), the CUDA 12 runtime with cuBLAS
#   and cuFFT and cuRAND, cuDNN 9, TensorRT 10, and the project's data (SEGSTREAM_DATA_DIR or ../shared/data).
# onnxruntime_gpu 1.21 is built for CUDA 12: a host with only CUDA 13 libraries cannot run it.
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS="${1:-deeplabv3-mnv2-voc,deeplabv3-mnv2-voc-513}"
ROUNDS="${2:-20}"

fail() { echo "gpu-check: cannot run here: $*" >&2; exit 3; }
have_lib() {
  if ldconfig -p 2>/dev/null | grep -q " $1 "; then return 0; fi
  local d
  for d in ${LD_LIBRARY_PATH//:/ } /usr/local/cuda/lib64 /usr/lib/x86_64-linux-gnu; do
    [ -e "$d/$1" ] && return 0
  done
  return 1
}

command -v java >/dev/null || fail "no java on PATH (a JDK 17 or newer is needed)"
major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
[ "${major%%.*}" -ge 17 ] 2>/dev/null || fail "java is version $major; 17 or newer is needed"
command -v nvidia-smi >/dev/null || fail "nvidia-smi not found: no NVIDIA driver"
nvidia-smi -L >/dev/null 2>&1 || fail "nvidia-smi lists no GPU"
for lib in libcuda.so.1; do have_lib "$lib" || fail "$lib (NVIDIA driver) not found"; done
for lib in libcudart.so.12 libcublas.so.12 libcublasLt.so.12 libcufft.so.11 libcurand.so.10; do
  have_lib "$lib" || fail "$lib not found: onnxruntime_gpu 1.21 needs the CUDA 12 runtime libraries"
done
have_lib libcudnn.so.9 || fail "libcudnn.so.9 not found: cuDNN 9 is needed"
for lib in libnvinfer.so.10 libnvinfer_plugin.so.10 libnvonnxparser.so.10; do
  have_lib "$lib" || fail "$lib not found: the tensorrt engine needs TensorRT 10"
done
DATA="${SEGSTREAM_DATA_DIR:-../shared/data}"
[ -d "$DATA/models" ] || fail "no data directory at $DATA (set SEGSTREAM_DATA_DIR)"

echo "gpu-check: $(nvidia-smi -L | head -1); building the GPU build (-Pgpu)"
./mvnw -B -q -ntp -Pgpu -DskipTests install
ls stream-app/target/lib/onnxruntime_gpu-*.jar >/dev/null 2>&1 || fail "the GPU build did not package onnxruntime_gpu"
CP="benchmarks/target/classes:stream-app/target/segstream.jar:stream-app/target/lib/*"
exec java -Dsegstream.data.dir="$DATA" -cp "$CP" io.segstream.bench.GpuCheck "$MODELS" "$ROUNDS"
