//go:build cgo

package llama

/*
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
	"unsafe"
)

// FlashAttention selects whether llama.cpp uses flash attention.
type FlashAttention int

// Flash attention settings; the zero value lets llama.cpp decide.
const (
	FlashAttentionAuto FlashAttention = iota
	FlashAttentionOn
	FlashAttentionOff
)

// KVCacheType is the element type of the K and V caches.
type KVCacheType string

// KV cache types. Quantised V caches need flash attention.
const (
	KVCacheF16  KVCacheType = "f16"
	KVCacheQ8_0 KVCacheType = "q8_0"
	KVCacheQ4_0 KVCacheType = "q4_0"
)

// MaxContextSize bounds ContextOptions.ContextSize: a KV cache of more
// tokens than any model capgen runs was trained on would only fail to
// allocate, or take the machine's memory.
const MaxContextSize = 1 << 20

// ContextOptions configures NewContext. A nil *ContextOptions means
// defaults; each zero field means the default documented on it.
type ContextOptions struct {
	// ContextSize is the KV cache size in tokens, shared by all sequences
	// (the cache is unified so that sequences can share a prefix);
	// 0 means 4096, at most the model's training context.
	ContextSize int
	// BatchSize is the most tokens one llama_decode call takes; 0 means
	// 512. Longer inputs are split.
	BatchSize int
	// UBatchSize is the physical batch; 0 means BatchSize. It is raised
	// to the largest image of a non-causal projector (Gemma 3).
	UBatchSize int
	// MaxSequences is how many sequences the context holds at once
	// (languages, regions, images decoded together); 0 means 1.
	MaxSequences int
	// Threads for generation and BatchThreads for prompt processing;
	// 0 means DefaultThreads(); more than MaxThreads() means MaxThreads().
	Threads, BatchThreads int
	FlashAttention        FlashAttention
	// Spin makes the CPU threads busy-wait between graph nodes, llama.cpp's
	// own default. By default capgen's threads sleep instead (a ggml thread
	// pool with polling off): measured on 2 cores with SmolVLM-256M shapes
	// (BenchmarkThreadPool), that was as fast on an idle machine (60.7-65.2
	// vs 61.7-62.2 tok/s) and faster next to busy processes (4.7-13.2 vs
	// 1.8-3.3 tok/s, noisy: it depends on the other load).
	Spin bool
	// KVCache is the K and V cache type; "" means f16.
	KVCache KVCacheType
	// Projector enables images; nil makes a text-only context.
	Projector *Projector
	// Cache, if set, stores image embeddings across calls and Contexts.
	Cache EmbeddingCache
	// Observe, if set, is called after each image encode and each decode
	// step, on the goroutine that uses the Context: live metrics (a
	// server's histograms). It must return quickly.
	Observe func(Measure)
}

// MeasureKind says what a Measure timed.
type MeasureKind int

const (
	// MeasureImageEncode: one image (or image slice) through the vision
	// encoder and projector.
	MeasureImageEncode MeasureKind = iota
	// MeasureStep: one step of batched generation (its llama_decode calls
	// and the sampling of every running sequence).
	MeasureStep
)

// A Measure is one timed piece of work of a Context.
type Measure struct {
	Kind MeasureKind
	Took time.Duration
	// Tokens: the image's embeddings (MeasureImageEncode), or the tokens
	// decoded in the step, prompt and generated (MeasureStep).
	Tokens int
}

// Context holds a KV cache with one or more sequences and evaluates
// prompts and generates text in them. A Context must be used by one
// goroutine at a time; make one Context per goroutine (they share the
// Model's weights).
type Context struct {
	mu      sync.Mutex
	p       *C.struct_llama_context
	mem     C.llama_memory_t
	model   *Model
	proj    *Projector
	cache   EmbeddingCache
	observe func(Measure)
	abort   *C.capgen_abort
	batch   C.struct_llama_batch
	pools   [2]*C.struct_ggml_threadpool // generation and batch thread pools (nil with Spin)
	nCtx    int
	nBatch  int
	nUBatch int
	nSeq    int
	seqs    []seqState
	used    int // KV cells held by the sequences
	stats   Stats
	cleanup runtime.Cleanup
}

// seqState is what Go tracks about one sequence of the KV cache.
type seqState struct {
	// next is the position the next token takes.
	next int32
	// pending holds text tokens that are part of the prompt but not yet
	// decoded: the last prompt token is decoded by Generate, together
	// with the other sequences, so its logits are at hand for sampling.
	pending []Token
	// blocks are the KV cells the sequence holds, in runs shared with
	// the copies made of it (CopySequence) or that it was copied from.
	blocks []*kvBlock
}

// A kvBlock is a run of KV cells held by one or more sequences: the cells a
// sequence decoded, shared with the copies made of it afterwards. The cells
// are free when the last holder lets go, as in llama.cpp's unified cache.
type kvBlock struct {
	cells   int
	holders int
}

// addCells records n cells decoded into sequence seq.
func (c *Context) addCells(seq, n int) {
	s := &c.seqs[seq]
	if k := len(s.blocks); k > 0 && s.blocks[k-1].holders == 1 {
		s.blocks[k-1].cells += n
	} else {
		s.blocks = append(s.blocks, &kvBlock{cells: n, holders: 1})
	}
	c.used += n
}

// dropCells lets sequence seq's cells go and empties its state.
func (c *Context) dropCells(seq int) {
	for _, b := range c.seqs[seq].blocks {
		if b.holders--; b.holders == 0 {
			c.used -= b.cells
		}
	}
	c.seqs[seq] = seqState{}
}

// Stats counts the work a Context did; see Context.Stats.
type Stats struct {
	ImageEncodes    int           // images (or image slices) encoded
	ImageCacheHits  int           // image slices taken from the cache
	ImageEncodeTime time.Duration // time in the vision encoder
	ImageTokens     int           // image embeddings decoded into the KV cache
	ImageDecodeTime time.Duration // time decoding image embeddings
	PromptTokens    int           // text prompt tokens decoded
	PromptTime      time.Duration
	GeneratedTokens int // tokens sampled
	GenerateTime    time.Duration
	Decodes         int // llama_decode calls
}

type contextRes struct {
	p     *C.struct_llama_context
	batch C.struct_llama_batch
	abort *C.capgen_abort
	pools [2]*C.struct_ggml_threadpool
	model *Model
}

func freeContextRes(r contextRes) {
	C.llama_batch_free(r.batch)
	C.llama_free(r.p)
	live.contexts.Add(-1)
	for _, tp := range r.pools {
		if tp != nil {
			C.ggml_threadpool_free(tp)
		}
	}
	C.free(unsafe.Pointer(r.abort))
	r.model.release()
}

// NewContext creates a context for model.
func NewContext(model *Model, opt *ContextOptions) (*Context, error) {
	const op = "NewContext"
	if opt == nil {
		opt = &ContextOptions{}
	}
	o := *opt
	if o.ContextSize < 0 || o.BatchSize < 0 || o.UBatchSize < 0 || o.MaxSequences < 0 || o.Threads < 0 || o.BatchThreads < 0 {
		return nil, opErr(op, ErrInvalidArgument, "negative size in options")
	}
	if o.ContextSize == 0 {
		o.ContextSize = 4096
		if t := model.meta.TrainContext; t > 0 && t < o.ContextSize {
			o.ContextSize = t
		}
	}
	if o.BatchSize == 0 {
		o.BatchSize = 512
	}
	if o.UBatchSize == 0 {
		o.UBatchSize = o.BatchSize
	}
	if o.MaxSequences == 0 {
		o.MaxSequences = 1
	}
	if o.ContextSize > MaxContextSize {
		return nil, opErr(op, ErrInvalidArgument, "ContextSize %d above %d tokens", o.ContextSize, MaxContextSize)
	}
	if o.MaxSequences > MaxSequences() {
		return nil, opErr(op, ErrInvalidArgument, "MaxSequences %d above llama.cpp's limit of %d", o.MaxSequences, MaxSequences())
	}
	if o.Threads == 0 {
		o.Threads = DefaultThreads()
	}
	if o.BatchThreads == 0 {
		o.BatchThreads = o.Threads
	}
	o.Threads, o.BatchThreads = min(o.Threads, MaxThreads()), min(o.BatchThreads, MaxThreads())
	kvType, ok := map[KVCacheType]C.enum_ggml_type{"": C.GGML_TYPE_F16, KVCacheF16: C.GGML_TYPE_F16, KVCacheQ8_0: C.GGML_TYPE_Q8_0, KVCacheQ4_0: C.GGML_TYPE_Q4_0}[o.KVCache]
	if !ok {
		return nil, opErr(op, ErrInvalidArgument, "KV cache type %q; use f16, q8_0 or q4_0", o.KVCache)
	}
	if kvType != C.GGML_TYPE_F16 && o.FlashAttention == FlashAttentionOff {
		return nil, opErr(op, ErrInvalidArgument, "a %s KV cache needs flash attention (leave it on auto)", o.KVCache)
	}
	if o.Projector != nil {
		if o.Projector.model != model {
			return nil, opErr(op, ErrInvalidArgument, "projector %s was loaded for another model", o.Projector.path)
		}
		// Gemma 3 decodes an image non-causally in one ubatch.
		if info := o.Projector.info; info.NonCausal && info.ImageSize > 0 {
			n, _, err := o.Projector.ImageTokens(info.ImageSize, info.ImageSize)
			if err != nil {
				return nil, err
			}
			o.UBatchSize = max(o.UBatchSize, n)
			o.BatchSize = max(o.BatchSize, o.UBatchSize)
		}
	}
	if o.UBatchSize > o.BatchSize {
		o.BatchSize = o.UBatchSize
	}
	if o.BatchSize > o.ContextSize {
		o.ContextSize = o.BatchSize // llama.cpp caps the batch at the context
	}

	if err := model.retain(op); err != nil {
		return nil, err
	}
	params := C.llama_context_default_params()
	params.n_ctx = C.uint32_t(o.ContextSize)
	params.n_batch = C.uint32_t(o.BatchSize)
	params.n_ubatch = C.uint32_t(o.UBatchSize)
	params.n_seq_max = C.uint32_t(o.MaxSequences)
	params.n_threads = C.int32_t(o.Threads)
	params.n_threads_batch = C.int32_t(o.BatchThreads)
	params.kv_unified = true
	params.no_perf = true
	params.type_k = kvType
	params.type_v = kvType
	switch o.FlashAttention {
	case FlashAttentionOn:
		params.flash_attn_type = C.LLAMA_FLASH_ATTN_TYPE_ENABLED
	case FlashAttentionOff:
		params.flash_attn_type = C.LLAMA_FLASH_ATTN_TYPE_DISABLED
	default:
		params.flash_attn_type = C.LLAMA_FLASH_ATTN_TYPE_AUTO
	}
	var p *C.struct_llama_context
	detail := trapErrors(func() { p = C.llama_init_from_model(model.p, params) })
	if p == nil {
		model.release()
		return nil, &Error{Op: op, Err: fmt.Errorf("llama.cpp could not create the context (ContextSize %d, out of memory?): %w", o.ContextSize, ErrInvalidArgument), Detail: detail}
	}
	live.contexts.Add(1)
	abort := (*C.capgen_abort)(C.calloc(1, C.size_t(unsafe.Sizeof(C.capgen_abort{}))))
	C.capgen_set_abort(p, abort)
	var pools [2]*C.struct_ggml_threadpool
	if !o.Spin {
		for i, n := range []int{o.Threads, o.BatchThreads} {
			tpp := C.ggml_threadpool_params_default(C.int(n))
			tpp.poll = 0
			pools[i] = C.ggml_threadpool_new(&tpp)
		}
		if pools[0] == nil || pools[1] == nil {
			freeContextRes(contextRes{p, C.llama_batch_init(1, 0, 1), abort, pools, model})
			return nil, opErr(op, ErrInvalidArgument, "could not start %d threads", o.Threads)
		}
		C.llama_attach_threadpool(p, pools[0], pools[1])
	}
	c := &Context{
		p:       p,
		pools:   pools,
		mem:     C.llama_get_memory(p),
		model:   model,
		proj:    o.Projector,
		cache:   o.Cache,
		observe: o.Observe,
		abort:   abort,
		nCtx:    int(C.llama_n_ctx(p)),
		nBatch:  int(C.llama_n_batch(p)),
		nUBatch: int(C.llama_n_ubatch(p)),
		nSeq:    int(C.llama_n_seq_max(p)),
	}
	c.batch = C.llama_batch_init(C.int32_t(c.nBatch), 0, 1)
	c.seqs = make([]seqState, c.nSeq)
	c.cleanup = runtime.AddCleanup(c, freeContextRes, contextRes{p, c.batch, abort, pools, model})
	return c, nil
}

// Close frees the context. Close is idempotent.
func (c *Context) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p == nil {
		return nil
	}
	c.cleanup.Stop()
	freeContextRes(contextRes{c.p, c.batch, c.abort, c.pools, c.model})
	c.p = nil
	return nil
}

// Size returns the KV cache size in tokens.
func (c *Context) Size() int { return c.nCtx }

// Threads is the number of threads the context decodes with (after
// ContextOptions.Threads was bounded by MaxThreads).
func (c *Context) Threads() int {
	defer runtime.KeepAlive(c)
	return int(C.llama_n_threads(c.p))
}

// BatchSize returns the batch size llama.cpp settled on.
func (c *Context) BatchSize() int { return c.nBatch }

// UBatchSize returns the physical batch size.
func (c *Context) UBatchSize() int { return c.nUBatch }

// MaxSequences returns how many sequences the context holds.
func (c *Context) MaxSequences() int { return c.nSeq }

// Model returns the model the context was made from.
func (c *Context) Model() *Model { return c.model }

// Stats returns the counters accumulated since the last ResetStats.
func (c *Context) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// ResetStats zeroes the counters.
func (c *Context) ResetStats() {
	c.mu.Lock()
	c.stats = Stats{}
	c.mu.Unlock()
}

// lock takes the context for one operation; the caller unlocks c.mu.
func (c *Context) lock(op string) error {
	c.mu.Lock()
	if c.p == nil {
		c.mu.Unlock()
		return &Error{Op: op, Err: ErrClosed}
	}
	return nil
}

func (c *Context) checkSeq(op string, seq int) error {
	if seq < 0 || seq >= c.nSeq {
		return opErr(op, ErrInvalidArgument, "sequence %d outside 0..%d (raise ContextOptions.MaxSequences)", seq, c.nSeq-1)
	}
	return nil
}

// Used returns the number of KV cells in use, counting shared prefixes
// once.
func (c *Context) Used() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.usedLocked()
}

func (c *Context) usedLocked() int { return c.used }

// Position returns the next position of sequence seq (its length in
// positions, including tokens not decoded yet).
func (c *Context) Position(seq int) (int, error) {
	const op = "Context.Position"
	if err := c.lock(op); err != nil {
		return 0, err
	}
	defer c.mu.Unlock()
	if err := c.checkSeq(op, seq); err != nil {
		return 0, err
	}
	s := c.seqs[seq]
	return int(s.next) + len(s.pending), nil
}

// CopySequence makes dst a copy of src (what dst held before is dropped):
// the KV cells are shared, not duplicated, so N outputs for one image cost
// one image encode and one prefill.
func (c *Context) CopySequence(src, dst int) error {
	defer runtime.KeepAlive(c)
	const op = "Context.CopySequence"
	if err := c.lock(op); err != nil {
		return err
	}
	defer c.mu.Unlock()
	if err := c.checkSeq(op, src); err != nil {
		return err
	}
	if err := c.checkSeq(op, dst); err != nil {
		return err
	}
	if src == dst {
		return nil
	}
	c.removeLocked(dst)
	C.llama_memory_seq_cp(c.mem, C.llama_seq_id(src), C.llama_seq_id(dst), -1, -1)
	s := c.seqs[src]
	for _, b := range s.blocks {
		b.holders++
	}
	c.seqs[dst] = seqState{next: s.next, pending: append([]Token(nil), s.pending...), blocks: slices.Clone(s.blocks)}
	return nil
}

// RemoveSequence empties sequence seq; cells it shares with other
// sequences stay for them.
func (c *Context) RemoveSequence(seq int) error {
	const op = "Context.RemoveSequence"
	if err := c.lock(op); err != nil {
		return err
	}
	defer c.mu.Unlock()
	if err := c.checkSeq(op, seq); err != nil {
		return err
	}
	c.removeLocked(seq)
	return nil
}

func (c *Context) removeLocked(seq int) {
	defer runtime.KeepAlive(c)
	C.llama_memory_seq_rm(c.mem, C.llama_seq_id(seq), -1, -1)
	c.dropCells(seq)
}

// KeepSequence removes every sequence except seq.
func (c *Context) KeepSequence(seq int) error {
	defer runtime.KeepAlive(c)
	const op = "Context.KeepSequence"
	if err := c.lock(op); err != nil {
		return err
	}
	defer c.mu.Unlock()
	if err := c.checkSeq(op, seq); err != nil {
		return err
	}
	C.llama_memory_seq_keep(c.mem, C.llama_seq_id(seq))
	for i := range c.seqs {
		if i != seq {
			c.dropCells(i)
		}
	}
	return nil
}

// Clear empties every sequence.
func (c *Context) Clear() error {
	defer runtime.KeepAlive(c)
	const op = "Context.Clear"
	if err := c.lock(op); err != nil {
		return err
	}
	defer c.mu.Unlock()
	C.llama_memory_clear(c.mem, true)
	for i := range c.seqs {
		c.seqs[i] = seqState{}
	}
	c.used = 0
	return nil
}

// watch arms the abort flag for the duration of a decode loop: when ctx
// is cancelled, ggml stops between graph nodes and llama_decode returns 2.
// The returned stop waits for a cancellation already under way, so a late
// flag cannot abort the next call.
func (c *Context) watch(ctx context.Context) (stop func()) {
	defer runtime.KeepAlive(c)
	C.capgen_abort_store(c.abort, 0)
	if ctx.Done() == nil {
		return func() {}
	}
	fired := make(chan struct{})
	unregister := context.AfterFunc(ctx, func() {
		C.capgen_abort_store(c.abort, 1)
		close(fired)
	})
	return func() {
		if !unregister() {
			<-fired
		}
		C.capgen_abort_store(c.abort, 0)
	}
}

// decodeErr maps llama_decode's return code to an error; detail is what
// llama.cpp logged during the call (trapErrors).
func decodeErr(op string, ctx context.Context, ret C.int32_t, detail string) error {
	switch {
	case ret == 0:
		return nil
	case ret == 1:
		return opErr(op, ErrContextFull, "no free KV cells (raise ContextOptions.ContextSize)")
	case ret == 2:
		if err := ctx.Err(); err != nil {
			return &Error{Op: op, Err: fmt.Errorf("%w: %w", ErrAborted, err)}
		}
		return &Error{Op: op, Err: ErrAborted}
	default:
		return &Error{Op: op, Err: fmt.Errorf("llama_decode failed with code %d: %w", int(ret), ErrInvalidArgument), Detail: detail}
	}
}
