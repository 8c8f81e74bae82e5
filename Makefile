# capgen build. `make` builds llama.cpp (ggml + llama + mtmd) as static
# libraries into build/, then bin/capgen. The llama.cpp sources come from the
# Go module pinned in go.mod (see third_party/README.md).
#
#   make              libraries (when their inputs changed) + bin/capgen
#   make test         everything above, then go test ./...
#   make test-fresh   the README's commands on an empty module cache, and capgen
#                     as another module's dependency (internal/installtest; CI)
#   make cuda         the same with the CUDA backend (needs nvcc)
#   make metal        the same with the Metal backend (macOS)
#   make portable     x86-64-v3 build for binaries that run on other machines
#   make bench        benchmarks and capgen bench with baselines (CPU)
#   make gpu-check    CUDA build for this GPU, tests and bench (scripts/gpu-check.sh)
#   make device-bundle  Go toolchain, vendored modules and llama.cpp sources for a GPU machine without them
#   make clean        remove build/ and bin/

SHELL := /bin/bash
comma := ,
GO ?= go
BUILD ?= build
BACKEND ?= cpu
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GOTEST_FLAGS ?=
# GO_TAGS selects the link flags of package llama (llama/link_*.go); TAGS
# adds build tags of its own (TAGS=nolingua: the small build without the
# statistical language identifier, docs/languages.md).
GO_TAGS ?=
TAGS ?=

ifeq ($(BACKEND),cuda)
  GO_TAGS := cuda
  CUDA_HOME ?= $(or $(shell dirname $$(dirname $$(command -v nvcc 2>/dev/null)) 2>/dev/null),/usr/local/cuda)
  export CGO_LDFLAGS := -L$(CUDA_HOME)/lib64 -L$(CUDA_HOME)/lib64/stubs $(CGO_LDFLAGS)
endif
ifeq ($(BACKEND),metal)
  GO_TAGS := metal
endif

# Each backend gets its own CMake tree so switching does not rebuild the rest.
CMAKE_DIR := $(BUILD)/cmake-$(BACKEND)$(if $(filter 1,$(PORTABLE)),-portable)
empty :=
space := $(empty) $(empty)
GO_TAG_LIST := $(strip $(GO_TAGS) $(TAGS))
GO_BUILD_TAGS := $(if $(GO_TAG_LIST),-tags $(subst $(space),$(comma),$(GO_TAG_LIST)))

.PHONY: all libs capgen test test-fresh demo cuda metal portable clean deps bench gpu-check device-bundle toy-model toy-eval

all: capgen

deps:
	@bash scripts/deps.sh

# llama.cpp, ggml and mtmd are built and installed into $(BUILD) by
# cmd/capgen-native, the same command an application that imports capgen
# runs once (README, "Use as a library"). It downloads the pinned module
# github.com/ollama/ollama into the module cache when it is not there yet;
# LLAMA_SRC=DIR uses a copy of the module's llama/ and ml/ folders instead
# (a machine without network). Ninja decides what to recompile.
LLAMA_SRC ?=
NATIVE_FLAGS := -source . -prefix $(BUILD) -build-dir $(CMAKE_DIR) -backend $(BACKEND) -jobs $(JOBS) \
	$(if $(filter 1,$(PORTABLE)),-portable) $(if $(CUDA_ARCH),-cuda-arch '$(CUDA_ARCH)') \
	$(if $(LLAMA_SRC),-llama-src '$(LLAMA_SRC)')

libs: | deps
	$(GO) run ./cmd/capgen-native $(NATIVE_FLAGS) >/dev/null

capgen: libs
	$(GO) build $(GO_BUILD_TAGS) -o bin/capgen ./cmd/capgen

test: capgen
	$(GO) vet $(GO_BUILD_TAGS) ./...
	$(GO) test $(GO_BUILD_TAGS) $(GOTEST_FLAGS) ./...
	# The small build without the statistical language identifier (-tags nolingua).
	$(GO) test -tags nolingua $(GOTEST_FLAGS) ./caption/
	# The engine's concurrency contract under the race detector.
	$(GO) test -race -run 'TestDescribeWhileClosing|TestErrorDetailIsPerCall' $(GOTEST_FLAGS) ./caption/ ./llama/

# What a newcomer meets (internal/installtest): a clean copy of the tree runs
# make demo and make test on an empty module cache, and an application module
# outside the tree builds against capgen through cmd/capgen-native. The
# machine's module download cache is their file proxy (no network), so it is
# filled first. Each builds llama.cpp from scratch: about 25 minutes in all
# on two cores.
test-fresh: deps
	$(GO) mod download
	CAPGEN_FRESH=1 $(GO) test -count=1 -timeout 80m -v ./internal/installtest

# The main job on the embedded default: the toy model of testdata/toy
# (compiled into bin/capgen; --model toy) captions a drawn scene in three
# languages from one image encode.
demo: capgen
	bin/capgen describe --model toy --lang en,de,ja testdata/scene.png

# Benchmarks of packages llama and caption on the SmolVLM-256M-shaped model
# (written once into $(BUILD)/models) and of package vision; then capgen
# bench on the same shapes without image splitting, with its baselines
# (docs/performance.md).
bench: capgen
	$(GO) test $(GO_BUILD_TAGS) -run '^$$' -bench . -benchtime 3x ./llama ./caption ./vision
	bin/capgen bench --preset smolvlm-256m-nosplit --images 8 --out $(BUILD)/bench.json

# CUDA build for this machine's GPU, tests and bench (scripts/gpu-check.sh).
gpu-check:
	bash scripts/gpu-check.sh

# What gpu-check needs on a GPU machine without Go or network, packed into
# build/device (scripts/device-bundle.sh).
device-bundle:
	bash scripts/device-bundle.sh

# The toy vision-LLM (issue 3): data from the scene renderer, tokenized by
# llama.cpp itself; training with Debian's python3-torch on the CPU
# (apt-get install -y python3-torch libopenblas0-pthread); export through
# internal/synth; evaluation through capgen's own pipeline.
TOY_DATA := $(BUILD)/toy/data
TOY_WEIGHTS := $(BUILD)/toy/weights
# Stage 1 trains the vision tower alone on per-cell labels (about 22
# minutes on one core), stage 2 the language model on its frozen embeddings
# (about 17); one torch thread is as fast as two on this tiny network.
toy-model: libs
	$(GO) run ./toy/cmd/toydata -o $(TOY_DATA) -n 60000 -seed 1
	/usr/bin/python3 toy/train/train.py --data $(TOY_DATA) --out $(TOY_WEIGHTS) --seed 1 --threads 1 \
		--vision-steps 5500 --vision-minutes 26 --steps 1500 --minutes 22 --heldout 5
	$(GO) run ./toy/cmd/toyexport -weights $(TOY_WEIGHTS) -o testdata/toy
	$(GO) run ./toy/cmd/toyeval -model testdata/toy -weights $(TOY_WEIGHTS) -n 200 -write

toy-eval: libs
	$(GO) run ./toy/cmd/toyeval -model testdata/toy -n 200

cuda:
	$(MAKE) BACKEND=cuda

metal:
	$(MAKE) BACKEND=metal

portable:
	$(MAKE) PORTABLE=1

clean:
	rm -rf $(BUILD) bin
