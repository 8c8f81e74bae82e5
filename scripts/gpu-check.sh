#!/usr/bin/env bash
# GPU check for capgen on a machine with one NVIDIA GPU, nvcc, CMake and
# Ninja, without network. Where Go is missing (the lent GPU machines'
# image), it uses build/device from scripts/device-bundle.sh (a trimmed Go
# toolchain, the vendored modules, llama.cpp's sources; about 30 MB: carry
# it with the working tree).
#
#   scripts/gpu-check.sh [OUT_DIR] [PHASES]
#
# PHASES is a comma list of build, test, bench (default all three): on a
# lent machine, whose commands may run 10 minutes each, run the build in
# one call and test,bench in the next (build outputs stay while the
# machine is warm).
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
phases=,${2:-build,test,bench},
mkdir -p "$out"
want() { [[ $phases == *",$1,"* ]]; }
log() { printf '\n== %s (%s)\n' "$*" "$(date +%T)"; }

if ! command -v go >/dev/null 2>&1; then
  [ -f build/device/go.tar.xz ] || { echo "gpu-check: no go and no build/device bundle (run scripts/device-bundle.sh where Go is)" >&2; exit 1; }
  log "unpacking build/device"
  d=/tmp/capgen-device
  rm -rf "$d" && mkdir -p "$d/goroot" "$d/llama"
  xz -dc build/device/go.tar.xz | tar -xf - -C "$d/goroot"
  xz -dc build/device/llama.tar.xz | tar -xf - -C "$d/llama"
  rm -rf vendor && xz -dc build/device/vendor.tar.xz | tar -xf -
  export GOROOT="$d/goroot" PATH="$d/goroot/bin:$PATH" GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local
  export GOCACHE="$d/gocache" GOMODCACHE="$d/modcache" LLAMA_SRC="$d/llama"
  go version
fi

log "machine"
nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader
nvcc --version | tail -n 1
arch=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n 1 | tr -d '.')
echo "CUDA architecture: $arch"

if want build; then
  log "build (CUDA, sm_$arch only)"
  time make cuda CUDA_ARCH="$arch" JOBS="$(nproc)" TAGS=nolingua
fi
bin/capgen system

cuda_home=$(dirname "$(dirname "$(command -v nvcc)")")
export CGO_LDFLAGS="-L$cuda_home/lib64 -L$cuda_home/lib64/stubs ${CGO_LDFLAGS:-}"
if want test; then
  log "tests on the CUDA build"
  # go test directly, without the statistical language identifier, whose
  # 124 MB of models the bundle leaves out (-tags nolingua).
  time go test -tags cuda,nolingua -count=1 ./... 2>&1 | tail -n 40 || echo "gpu-check: some tests FAILED (above); the bench runs anyway"
fi
want bench || { log "done"; exit 0; }

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
