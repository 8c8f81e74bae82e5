#!/usr/bin/env bash
# Packs what scripts/gpu-check.sh needs on a machine that has nvcc, CMake
# and ninja but no Go and no network (the lent GPU machines' image), into
# build/device (about 35 MB; carry it with the working tree):
#
#   go.tar.xz     a trimmed Go toolchain: bin/go, the compile, link, asm,
#                 cgo and vet tools, the standard library sources
#   vendor.tar.xz the module's dependencies (go mod vendor), without
#                 lingua-go (124 MB of language models; gpu-check.sh builds
#                 with -tags nolingua, which does not need it)
#   llama.tar.xz  the llama/ and ml/ folders of the pinned
#                 github.com/ollama/ollama module: llama.cpp's sources
#
# gpu-check.sh unpacks them into /tmp when `go` is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/device
rm -rf "$out" && mkdir -p "$out"
goroot=$(go env GOROOT)
tools=pkg/tool/$(go env GOOS)_$(go env GOARCH)
echo "device-bundle: Go toolchain from $goroot"
(cd "$goroot" && tar --exclude='src/*/testdata' --exclude='src/cmd' --exclude='*_test.go' -cf - \
  bin/go "$tools/compile" "$tools/link" "$tools/asm" "$tools/cgo" "$tools/vet" \
  pkg/include src go.env VERSION) | xz -T0 -6 > "$out/go.tar.xz"
echo "device-bundle: vendored modules"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go mod vendor -o "$tmp/vendor"
rm -rf "$tmp/vendor/github.com/pemistahl"
(cd "$tmp" && tar -cf - vendor) | xz -T0 -6 > "$out/vendor.tar.xz"
echo "device-bundle: llama.cpp sources"
# go mod download (not go list -m, which names no folder for a module that
# is not in the cache yet) prints where the module is.
src=$(go mod download -json github.com/ollama/ollama | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
[ -n "$src" ] || { echo "device-bundle: cannot locate github.com/ollama/ollama" >&2; exit 1; }
(cd "$src" && tar -cf - llama ml) | xz -T0 -6 > "$out/llama.tar.xz"
du -sh "$out"/*
