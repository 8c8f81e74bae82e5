// Command capgen-native builds the C++ libraries that package llama links
// (ggml, llama and mtmd, from the llama.cpp sources of the Go module that
// capgen pins) and installs them as static libraries with their headers:
//
//	PREFIX/lib/libcapgen_{mtmd,llama,ggml,ggml_cpu,ggml_base}.a  (+ ggml_cuda / ggml_metal)
//	PREFIX/include/capgen/*.h                                  (+ capgen_native.h: pin and backend)
//
// It is the one extra step for a Go program that imports capgen as a
// dependency, run once from the program's module (it builds the capgen
// version that go.mod requires):
//
//	go get github.com/capgen/capgen@VERSION
//	go run github.com/capgen/capgen/cmd/capgen-native -go-env
//	go build
//
// By default it installs into ~/.local and, with -go-env, adds
// CGO_CPPFLAGS=-I~/.local/include and CGO_LDFLAGS=-L~/.local/lib to the Go
// environment (go env -w; without -go-env it prints them). -prefix
// /usr/local installs for every user of the machine (as root): the C
// compiler and the linker search there without being told.
//
// Inside a capgen checkout, `make` runs it with -prefix build (the folder
// package llama looks in first), so `go build ./...` and `go test ./...`
// work there without any setting.
//
// Flags:
//
//	-prefix DIR      where to install (default ~/.local)
//	-backend NAME    cpu, cuda or metal (default cpu; metal on macOS); programs
//	                 that link a cuda or metal install build with -tags cuda or -tags metal
//	-cuda-arch LIST  CUDA architectures, such as 86 or 80;90 (default: this machine's GPU)
//	-portable        x86-64-v3 code instead of this machine's CPU features
//	-jobs N          parallel compile jobs (default: the number of CPUs)
//	-build-dir DIR   CMake build folder, kept for incremental rebuilds
//	                 (default: the user cache folder, capgen/native/VERSION-BACKEND)
//	-llama-src DIR   llama.cpp sources (the pinned module's llama/ and ml/ folders)
//	                 instead of downloading the pinned module
//	-source DIR      capgen's module folder (default: the capgen this command was built from)
//	-go-env          record the prefix's flags in the Go environment (go env -w)
//
// It needs cmake (3.21 or newer), a C++17 compiler and, preferably, ninja
// and ccache; the first build takes several minutes on two cores, later
// ones only recompile what changed.
package main
