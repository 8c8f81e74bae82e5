//go:build cgo

package llama

/*
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// referenceGreedy runs the C reference loop (reference.c) in sequence seq
// of an empty context: the baseline of the binding-overhead benchmark.
func (c *Context) referenceGreedy(prompt []Token, nGen, seq int) (int, error) {
	defer runtime.KeepAlive(c)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(prompt) == 0 {
		return 0, fmt.Errorf("empty prompt")
	}
	n := C.capgen_reference_greedy(c.p, (*C.llama_token)(unsafe.Pointer(&prompt[0])), C.int32_t(len(prompt)), C.int32_t(nGen), C.int32_t(seq))
	C.llama_memory_seq_rm(c.mem, C.llama_seq_id(seq), -1, -1)
	if n < 0 {
		return 0, fmt.Errorf("llama_decode failed with code %d", -n)
	}
	return int(n), nil
}
