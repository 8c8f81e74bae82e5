package llama

import (
	"context"
	"math"
	"runtime"
	"unsafe"
)

/*
#include "bridge.h"
*/
import "C"

// Score returns the log-probability (natural log) of each of toks as the
// continuation of sequence seq: the model's belief in a given text after
// a given prompt, the measure behind caption grounding (the same text
// after an image and after no image). The sequence's pending prompt text
// is decoded first; toks are then decoded in batches with logits at every
// position, and left appended to the sequence as Append would leave them
// (the last one pending). seq must have pending prompt text.
func (c *Context) Score(ctx context.Context, seq int, toks []Token) ([]float32, error) {
	defer runtime.KeepAlive(c)
	const op = "Context.Score"
	if err := c.lock(op); err != nil {
		return nil, err
	}
	defer c.mu.Unlock()
	if err := c.checkSeq(op, seq); err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	vocab := c.model.meta.VocabSize
	for _, t := range toks {
		if int(t) < 0 || int(t) >= vocab {
			return nil, opErr(op, ErrInvalidArgument, "token %d outside the vocabulary of %d", t, vocab)
		}
	}
	s := &c.seqs[seq]
	if need := len(s.pending) + len(toks); c.used+need > c.nCtx {
		return nil, opErr(op, ErrContextFull, "scoring needs %d more cells; %d of %d are in use", need, c.used, c.nCtx)
	}
	stop := c.watch(ctx)
	defer stop()
	last, err := c.takeLast(ctx, op, seq)
	if err != nil {
		return nil, err
	}
	// inputs[i] predicts toks[i].
	inputs := append([]Token{last}, toks[:len(toks)-1]...)
	out := make([]float32, 0, len(toks))
	for len(inputs) > 0 {
		n := min(len(inputs), c.nBatch)
		c.fillBatch(inputs[:n], s.next, seq, false)
		logits := unsafe.Slice(c.batch.logits, c.nBatch)
		for i := range n {
			logits[i] = 1
		}
		var ret C.int32_t
		detail := trapErrors(func() { ret = C.llama_decode(c.p, c.batch) })
		c.stats.Decodes++
		if err := decodeErr(op, ctx, ret, detail); err != nil {
			c.removeLocked(seq)
			return nil, err
		}
		for i := range n {
			ptr := C.llama_get_logits_ith(c.p, C.int32_t(i))
			if ptr == nil {
				c.removeLocked(seq)
				return nil, opErr(op, ErrInvalidArgument, "no logits at position %d", i)
			}
			l := unsafe.Slice((*float32)(unsafe.Pointer(ptr)), vocab)
			out = append(out, logSoftmaxAt(l, int(toks[len(out)])))
		}
		s.next += int32(n)
		c.addCells(seq, n)
		c.stats.PromptTokens += n
		inputs = inputs[n:]
	}
	s.pending = append(s.pending, toks[len(toks)-1])
	return out, nil
}

// logSoftmaxAt is log(softmax(l)[k]), computed stably.
func logSoftmaxAt(l []float32, k int) float32 {
	m := float32(math.Inf(-1))
	for _, v := range l {
		m = max(m, v)
	}
	sum := 0.0
	for _, v := range l {
		sum += math.Exp(float64(v - m))
	}
	return float32(float64(l[k]-m) - math.Log(sum))
}
