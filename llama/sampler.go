//go:build cgo

package llama

/*
#include "bridge.h"
*/
import "C"

import "fmt"

// Sampling chooses the next token from the logits. The zero value is
// greedy decoding (always the most likely token), which is deterministic.
type Sampling struct {
	// Temperature 0 means greedy; above 0 samples from the distribution
	// shaped by TopK, TopP and MinP.
	Temperature float32
	TopK        int     // 0 = off
	TopP        float32 // 0 or 1 = off
	MinP        float32 // 0 = off
	// RepeatPenalty above 1 penalises tokens among the last RepeatLastN
	// (0 = 64); 0 or 1 = off.
	RepeatPenalty float32
	RepeatLastN   int
	// Seed makes sampling reproducible; the same seed, prompt and model
	// give the same text.
	Seed uint32
}

func (s Sampling) validate(op string) error {
	switch {
	case s.Temperature < 0:
		return opErr(op, ErrInvalidArgument, "temperature %g is negative", s.Temperature)
	case s.TopK < 0:
		return opErr(op, ErrInvalidArgument, "top-k %d is negative", s.TopK)
	case s.TopP < 0 || s.TopP > 1:
		return opErr(op, ErrInvalidArgument, "top-p %g outside 0..1", s.TopP)
	case s.MinP < 0 || s.MinP > 1:
		return opErr(op, ErrInvalidArgument, "min-p %g outside 0..1", s.MinP)
	case s.RepeatPenalty < 0:
		return opErr(op, ErrInvalidArgument, "repeat penalty %g is negative", s.RepeatPenalty)
	case s.RepeatLastN < 0:
		return opErr(op, ErrInvalidArgument, "repeat-last-n %d is negative", s.RepeatLastN)
	}
	return nil
}

// newSampler builds a llama.cpp sampler chain; free it with
// llama_sampler_free.
func newSampler(s Sampling) *C.struct_llama_sampler {
	params := C.llama_sampler_chain_default_params()
	params.no_perf = true
	chain := C.llama_sampler_chain_init(params)
	live.samplers.Add(1)
	if s.RepeatPenalty > 0 && s.RepeatPenalty != 1 {
		n := s.RepeatLastN
		if n == 0 {
			n = 64
		}
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_penalties(C.int32_t(n), C.float(s.RepeatPenalty), 0, 0))
	}
	if s.Temperature == 0 {
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_greedy())
		return chain
	}
	if s.TopK > 0 {
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_top_k(C.int32_t(s.TopK)))
	}
	if s.TopP > 0 && s.TopP < 1 {
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_top_p(C.float(s.TopP), 1))
	}
	if s.MinP > 0 {
		C.llama_sampler_chain_add(chain, C.llama_sampler_init_min_p(C.float(s.MinP), 1))
	}
	C.llama_sampler_chain_add(chain, C.llama_sampler_init_temp(C.float(s.Temperature)))
	C.llama_sampler_chain_add(chain, C.llama_sampler_init_dist(C.uint32_t(s.Seed)))
	return chain
}

// String describes the sampling for logs and results.
func (s Sampling) String() string {
	if s.Temperature == 0 {
		return "greedy"
	}
	return fmt.Sprintf("temp=%g top_k=%d top_p=%g min_p=%g seed=%d", s.Temperature, s.TopK, s.TopP, s.MinP, s.Seed)
}
