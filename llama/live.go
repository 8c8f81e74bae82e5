//go:build cgo

package llama

/*
#include "bridge.h"
*/
import "C"

import "sync/atomic"

// Native objects this package holds, counted for leak checks.
var live struct {
	samplers, contexts, bitmaps, chunks atomic.Int64
}

// LiveObjects counts the native llama.cpp objects the package holds at the
// moment: samplers and image bitmaps exist only during a call, chunk lists
// while a prompt is evaluated, contexts until Close. A long-running program
// can check that they do not grow (capgen's leak tests do).
type LiveObjects struct {
	Samplers, Contexts, Bitmaps, ChunkLists int
}

// Live returns the counts of native objects held now.
func Live() LiveObjects {
	return LiveObjects{
		Samplers:   int(live.samplers.Load()),
		Contexts:   int(live.contexts.Load()),
		Bitmaps:    int(live.bitmaps.Load()),
		ChunkLists: int(live.chunks.Load()),
	}
}

func freeSampler(s *C.struct_llama_sampler) {
	C.llama_sampler_free(s)
	live.samplers.Add(-1)
}

func newBitmap(w, h int, rgb *C.uchar) *C.mtmd_bitmap {
	live.bitmaps.Add(1)
	return C.mtmd_bitmap_init(C.uint32_t(w), C.uint32_t(h), rgb)
}

func freeBitmap(b *C.mtmd_bitmap) {
	C.mtmd_bitmap_free(b)
	live.bitmaps.Add(-1)
}

func newChunks() *C.mtmd_input_chunks {
	live.chunks.Add(1)
	return C.mtmd_input_chunks_init()
}

func freeChunks(c *C.mtmd_input_chunks) {
	C.mtmd_input_chunks_free(c)
	live.chunks.Add(-1)
}
