//go:build cgo && metal

package llama

// Link flags of the Metal build (macOS).

/*
#cgo LDFLAGS: -L${SRCDIR}/../build/lib -lcapgen_mtmd -lcapgen_llama -lcapgen_ggml -lcapgen_ggml_metal -lcapgen_ggml_cpu -lcapgen_ggml_base
#cgo LDFLAGS: -lc++ -framework Foundation -framework Metal -framework MetalKit -framework Accelerate
#include "bridge.h"
#if !defined(CAPGEN_NATIVE_BACKEND_METAL)
#error "capgen: -tags metal, but the installed llama.cpp libraries are not the Metal build: install it (go run github.com/capgen/capgen/cmd/capgen-native -backend metal; make metal in a checkout)"
#endif
*/
import "C"

// Backend is the GPU backend this binary was built with ("cpu" when none).
const Backend = "metal"
