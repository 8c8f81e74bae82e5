//go:build cgo && metal

package llama

/*
#cgo LDFLAGS: -L${SRCDIR}/../build/lib -lmtmd -lllama -lggml -lggml-metal -lggml-cpu -lggml-base -lc++ -framework Foundation -framework Metal -framework MetalKit -framework Accelerate
*/
import "C"

// Backend is the GPU backend this binary was built with ("cpu" when none).
const Backend = "metal"
