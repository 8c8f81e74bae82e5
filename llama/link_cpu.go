//go:build cgo && !cuda && !metal

package llama

// Link flags of the CPU build. build/lib of a checkout comes first; an
// application's build finds the libraries that cmd/capgen-native installed
// on the linker's default path (/usr/local/lib) or through CGO_LDFLAGS.

/*
#cgo LDFLAGS: -L${SRCDIR}/../build/lib -lcapgen_mtmd -lcapgen_llama -lcapgen_ggml -lcapgen_ggml_cpu -lcapgen_ggml_base -lstdc++ -lm -ldl -lpthread
#include "bridge.h"
#if !defined(CAPGEN_NATIVE_BACKEND_CPU)
#error "capgen: the installed llama.cpp libraries are a CUDA or Metal build: build with -tags cuda or -tags metal, or install the CPU build (go run github.com/capgen/capgen/cmd/capgen-native -backend cpu; make in a checkout)"
#endif
*/
import "C"

// Backend is the GPU backend this binary was built with ("cpu" when none).
const Backend = "cpu"
