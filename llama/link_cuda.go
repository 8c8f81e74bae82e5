//go:build cgo && cuda

package llama

// The CUDA toolkit's library folder comes from CGO_LDFLAGS (the Makefile's
// cuda target sets it from nvcc's location).

/*
#cgo LDFLAGS: -L${SRCDIR}/../build/lib -lmtmd -lllama -lggml -lggml-cuda -lggml-cpu -lggml-base -lcudart -lcublas -lcublasLt -lcuda -lstdc++ -lm -ldl -lpthread
*/
import "C"

// Backend is the GPU backend this binary was built with ("cpu" when none).
const Backend = "cuda"
