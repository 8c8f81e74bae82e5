//go:build cgo && !cuda && !metal

package llama

/*
#cgo LDFLAGS: -L${SRCDIR}/../build/lib -lmtmd -lllama -lggml -lggml-cpu -lggml-base -lstdc++ -lm -ldl -lpthread
*/
import "C"

// Backend is the GPU backend this binary was built with ("cpu" when none).
const Backend = "cpu"
