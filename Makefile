# capgen build. `make` builds llama.cpp (ggml + llama + mtmd) as static
# libraries into build/, then bin/capgen. The llama.cpp sources come from the
# Go module pinned in go.mod (see third_party/README.md).
#
#   make              libraries (when their inputs changed) + bin/capgen
#   make test         everything above, then go test ./...
#   make cuda         the same with the CUDA backend (needs nvcc)
#   make metal        the same with the Metal backend (macOS)
#   make portable     x86-64-v3 build for binaries that run on other machines
#   make bench        benchmarks and capgen bench with baselines (CPU)
#   make gpu-check    CUDA build for this GPU, tests and bench (scripts/gpu-check.sh)
#   make device-bundle  Go toolchain, vendored modules and llama.cpp sources for a GPU machine without them
#   make clean        remove build/ and bin/

SHELL := /bin/bash
GO ?= go
CMAKE ?= cmake
BUILD ?= build
BACKEND ?= cpu
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GOTEST_FLAGS ?=
# GO_TAGS selects the link flags of package llama (llama/link_*.go).
GO_TAGS ?=

CMAKE_FLAGS := -G Ninja -DCMAKE_BUILD_TYPE=Release
ifeq ($(BACKEND),cuda)
  CMAKE_FLAGS += -DCAPGEN_CUDA=ON
  GO_TAGS := cuda
  CUDA_HOME ?= $(or $(shell dirname $$(dirname $$(command -v nvcc 2>/dev/null)) 2>/dev/null),/usr/local/cuda)
  export CGO_LDFLAGS := -L$(CUDA_HOME)/lib64 -L$(CUDA_HOME)/lib64/stubs $(CGO_LDFLAGS)
  ifneq ($(CUDA_ARCH),)
    CMAKE_FLAGS += -DCMAKE_CUDA_ARCHITECTURES=$(CUDA_ARCH)
  endif
endif
ifeq ($(BACKEND),metal)
  CMAKE_FLAGS += -DCAPGEN_METAL=ON
  GO_TAGS := metal
endif
ifeq ($(PORTABLE),1)
  CMAKE_FLAGS += -DCAPGEN_PORTABLE=ON
endif

# Each backend gets its own CMake tree so switching does not rebuild the rest.
CMAKE_DIR := $(BUILD)/cmake-$(BACKEND)$(if $(filter 1,$(PORTABLE)),-portable)
STAMP := $(BUILD)/.stamp-$(BACKEND)$(if $(filter 1,$(PORTABLE)),-portable)
GO_BUILD_TAGS := $(if $(GO_TAGS),-tags $(GO_TAGS))

.PHONY: all libs capgen test demo cuda metal portable clean deps bench gpu-check device-bundle toy-model toy-eval

all: capgen

deps:
	@bash scripts/deps.sh

# The source folder of the pinned module; downloading it is part of `go list`.
# LLAMA_SRC=DIR overrides it (a copy of the module's llama/ and ml/ folders,
# for a machine without network).
LLAMA_SRC ?= $(shell $(GO) list -m -f '{{.Dir}}' github.com/ollama/ollama)

$(STAMP): CMakeLists.txt go.sum | deps
	@src='$(LLAMA_SRC)'; if [ -z "$$src" ]; then echo "error: could not locate module github.com/ollama/ollama (go mod download github.com/ollama/ollama)" >&2; exit 1; fi; \
	$(CMAKE) -S . -B $(CMAKE_DIR) $(CMAKE_FLAGS) -DLLAMA_SOURCE_ROOT="$$src" -DCMAKE_INSTALL_PREFIX=$(abspath $(BUILD)) >/dev/null
	$(CMAKE) --build $(CMAKE_DIR) -j $(JOBS)
	$(CMAKE) --install $(CMAKE_DIR) >/dev/null
	@rm -f $(BUILD)/.stamp-*; touch $@

# Ninja decides what to recompile; the stamp only avoids re-running CMake.
libs: $(STAMP)
	@$(CMAKE) --build $(CMAKE_DIR) -j $(JOBS) | grep -v '^ninja: no work to do' || true
	@$(CMAKE) --install $(CMAKE_DIR) >/dev/null

capgen: libs
	$(GO) build $(GO_BUILD_TAGS) -o bin/capgen ./cmd/capgen

test: capgen
	$(GO) vet $(GO_BUILD_TAGS) ./...
	$(GO) test $(GO_BUILD_TAGS) $(GOTEST_FLAGS) ./...
	# The statistical language identifier is opt-in (-tags lingua): test it too.
	$(GO) test -tags lingua $(GOTEST_FLAGS) ./caption/

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
# models/synth; evaluation through capgen's own pipeline.
TOY_DATA := $(BUILD)/toy/data
TOY_WEIGHTS := $(BUILD)/toy/weights
# Stage 1 trains the vision tower alone on per-cell labels (about 22
# minutes on one core), stage 2 the language model on its frozen embeddings
# (about 17); one torch thread is as fast as two on this tiny network.
toy-model: libs
	$(GO) run ./models/toy/cmd/toydata -o $(TOY_DATA) -n 60000 -seed 1
	/usr/bin/python3 models/toy/train/train.py --data $(TOY_DATA) --out $(TOY_WEIGHTS) --seed 1 --threads 1 \
		--vision-steps 5500 --vision-minutes 26 --steps 1500 --minutes 22 --heldout 5
	$(GO) run ./models/toy/cmd/toyexport -weights $(TOY_WEIGHTS) -o testdata/toy
	$(GO) run ./models/toy/cmd/toyeval -model testdata/toy -weights $(TOY_WEIGHTS) -n 200 -write

toy-eval: libs
	$(GO) run ./models/toy/cmd/toyeval -model testdata/toy -n 200

cuda:
	$(MAKE) BACKEND=cuda

metal:
	$(MAKE) BACKEND=metal

portable:
	$(MAKE) PORTABLE=1

clean:
	rm -rf $(BUILD) bin
