//go:build cgo && !cuda && !metal

package llama

/*
#cgo LDFLAGS: -L${SRCDIR}/../build/lib -lmtmd -lllama -lggml -lggml-cpu -lggml-base -lstdc++ -lm -ldl -lpthread
*/
import "C"
