#!/usr/bin/env bash
# GPU check for capgen on a machine with one NVIDIA GPU, nvcc, CMake,
# Ninja and Go, without network (Go modules must already be in the module
# cache, e.g. from `go mod download` on a connected machine, or vendored by
# copying $(go env GOMODCACHE)).
#
#   scripts/gpu-check.sh [OUT_DIR]
#
# 1. builds llama.cpp with CUDA for the GPU's own architecture only (a
#    fraction of the all-architectures build time), then bin/capgen;
# 2. runs the whole test suite on the CUDA build;
# 3. runs `capgen bench` on the Qwen2.5-VL-3B-shaped random-weight pair at
#    Q8_0 (generation figure: tokens/s against bandwidth / weight bytes) and
#    on the SmolVLM-256M-shaped pair (batch against the baselines);
# printing every figure and writing the JSON reports into OUT_DIR
# (default build/gpu-check). Meant to finish within 10 minutes on an
# H100-class machine with a warm Go module cache.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/gpu-check}
mkdir -p "$out"
log() { printf '\n== %s (%s)\n' "$*" "$(date +%T)"; }

log "machine"
nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader
nvcc --version | tail -n 1
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d '.')
echo "CUDA architecture: $arch"

log "build (CUDA, sm_$arch only)"
export GOFLAGS=${GOFLAGS:--mod=mod}
time make cuda CUDA_ARCH="$arch" JOBS="$(nproc)"
bin/capgen system

log "tests on the CUDA build"
time make test BACKEND=cuda GOTEST_FLAGS="-count=1" 2>&1 | tail -n 40

# Peak bandwidth for the bound: from the device name when known (GB/s).
name=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)
case "$name" in
  *H200*) bw=4800 ;;
  *H100*SXM*|*H100\ 80GB\ HBM3*) bw=3350 ;;
  *H100*) bw=2000 ;;
  *A100*80GB*) bw=2039 ;;
  *A100*) bw=1555 ;;
  *L40S*) bw=864 ;;
  *L4*) bw=300 ;;
  *4090*) bw=1008 ;;
  *) bw=0 ;;
esac
echo "peak memory bandwidth used for the bound: ${bw} GB/s ($name)"

log "bench: Qwen2.5-VL-3B shapes, Q8_0, all layers on the GPU"
time bin/capgen bench --preset qwen25vl-3b --images 16 --seqs 1,4,16,64 --gen-tokens 64 \
  --baselines naive,languages --out "$out/qwen25vl-3b.json"
if [ "$bw" != 0 ]; then
  python3 - "$out/qwen25vl-3b.json" "$bw" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); bw = float(sys.argv[2]) * 1e9
weights = r["model"]["size_mib"] * 2**20
bound = bw / weights
one = [g for g in r["generate"] if g["sequences"] == 1 and g["kv_cache"] == "f16"][0]["tokens_per_s"]
print("one sequence: %.1f tokens/s; bandwidth bound %.1f tokens/s (%.0f GB/s / %.2f GB): %.0f%% of the bound"
      % (one, bound, bw / 1e9, weights / 1e9, 100 * one / bound))
b = r["batch"]
print("batch %.2f images/s, naive %.2f: %.2fx" % (b["images_per_s"], b.get("naive_images_per_s", 0), b.get("batch_vs_naive", 0)))
PY
fi

log "bench: SmolVLM-256M shapes (batch against naive and process per image)"
time bin/capgen bench --preset smolvlm-256m --images 16 --seqs 1,16,64 --out "$out/smolvlm-256m.json"

log "done: reports in $out"
