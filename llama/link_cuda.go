//go:build cgo && cuda

package llama

// Link flags of the CUDA build. The CUDA toolkit's library folder is
// /usr/local/cuda/lib64, Debian's default library path, or comes from
// CGO_LDFLAGS (the Makefile's cuda target sets it from nvcc's location).

/*
#cgo LDFLAGS: -L${SRCDIR}/../build/lib -lcapgen_mtmd -lcapgen_llama -lcapgen_ggml -lcapgen_ggml_cuda -lcapgen_ggml_cpu -lcapgen_ggml_base
#cgo LDFLAGS: -L/usr/local/cuda/lib64 -L/usr/local/cuda/lib64/stubs -lcudart -lcublas -lcublasLt -lcuda -lstdc++ -lm -ldl -lpthread
#include "bridge.h"
#if !defined(CAPGEN_NATIVE_BACKEND_CUDA)
#error "capgen: -tags cuda, but the installed llama.cpp libraries are not the CUDA build: install it (go run github.com/capgen/capgen/cmd/capgen-native -backend cuda; make cuda in a checkout)"
#endif
*/
import "C"

// Backend is the GPU backend this binary was built with ("cpu" when none).
const Backend = "cuda"
