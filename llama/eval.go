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
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// Prompt is text, with one MediaMarker per image, to append to a sequence.
type Prompt struct {
	Text   string
	Images []Image
	// AddSpecial adds the BOS token as the vocabulary asks; set it for the
	// first prompt of a sequence when the chat template does not.
	AddSpecial bool
	// Raw treats control-token text ("<|im_start|>") as plain characters;
	// by default it becomes the control tokens, as chat templates need.
	Raw bool
}

// Append evaluates p at the end of sequence seq: text tokens and image
// embeddings go into the KV cache, images through the projector (or the
// embedding cache). The last text token is kept back and decoded by
// Generate, so several sequences can start generating in one batch.
//
// On error the sequence is emptied.
func (c *Context) Append(ctx context.Context, seq int, p Prompt) error {
	const op = "Context.Append"
	if err := c.lock(op); err != nil {
		return err
	}
	defer c.mu.Unlock()
	if err := c.checkSeq(op, seq); err != nil {
		return err
	}
	for i := range p.Images {
		if err := p.Images[i].validate(op); err != nil {
			return err
		}
	}
	marker := MediaMarker()
	if n := strings.Count(p.Text, marker); n != len(p.Images) {
		return opErr(op, ErrInvalidArgument, "prompt has %d media markers %q but %d images", n, marker, len(p.Images))
	}
	if len(p.Images) > 0 && c.proj == nil {
		return &Error{Op: op, Err: fmt.Errorf("%d images given to a text-only context (load the model's mmproj file): %w", len(p.Images), ErrNoVision)}
	}
	if err := ctx.Err(); err != nil {
		return &Error{Op: op, Err: err}
	}
	if c.proj == nil {
		toks, err := c.model.tokenize(op, p.Text, TokenizeOptions{AddSpecial: p.AddSpecial, ParseSpecial: !p.Raw})
		if err != nil {
			return err
		}
		if err := c.checkRoom(op, seq, len(toks)); err != nil {
			return err
		}
		c.seqs[seq].pending = append(c.seqs[seq].pending, toks...)
		return nil
	}
	return c.appendMultimodal(ctx, op, seq, p)
}

// AppendTokens appends already tokenized text to sequence seq.
func (c *Context) AppendTokens(seq int, toks []Token) error {
	const op = "Context.AppendTokens"
	if err := c.lock(op); err != nil {
		return err
	}
	defer c.mu.Unlock()
	if err := c.checkSeq(op, seq); err != nil {
		return err
	}
	for _, t := range toks {
		if err := c.model.checkToken(op, t); err != nil {
			return err
		}
	}
	if err := c.checkRoom(op, seq, len(toks)); err != nil {
		return err
	}
	c.seqs[seq].pending = append(c.seqs[seq].pending, toks...)
	return nil
}

// checkRoom fails with ErrContextFull when n more tokens do not fit.
func (c *Context) checkRoom(op string, seq, n int) error {
	pending := 0
	for _, s := range c.seqs {
		pending += len(s.pending)
	}
	if need := c.usedLocked() + pending + n; need > c.nCtx {
		return opErr(op, ErrContextFull, "sequence %d needs %d more tokens; %d of %d KV cells are taken (raise ContextOptions.ContextSize)", seq, n, c.usedLocked()+pending, c.nCtx)
	}
	return nil
}

// chunk is one piece of a tokenized multimodal prompt.
type chunk struct {
	text  []Token
	c     *C.mtmd_input_chunk // image chunk (owned by the chunk list)
	nTok  int
	nPos  int
	image string // content ID of the image this chunk belongs to
	slice int    // index of this chunk among the image's chunks
}

func (c *Context) appendMultimodal(ctx context.Context, op string, seq int, p Prompt) error {
	defer runtime.KeepAlive(c)
	ids := make([]string, len(p.Images))
	imgs := make([]Image, len(p.Images))
	for i, img := range p.Images {
		imgs[i] = img
		if c.cache != nil {
			imgs[i].ID = img.contentID()
		}
		ids[i] = imgs[i].ID
	}
	c.proj.mu.Lock()
	if c.proj.p == nil {
		c.proj.mu.Unlock()
		return &Error{Op: op, Err: fmt.Errorf("projector: %w", ErrClosed)}
	}
	list, err := c.proj.tokenizeLocked(op, p.Text, imgs, p.AddSpecial, !p.Raw)
	c.proj.mu.Unlock()
	if err != nil {
		return err
	}
	defer freeChunks(list)

	n := int(C.mtmd_input_chunks_size(list))
	chunks := make([]chunk, 0, n)
	total, imageIdx := 0, -1
	slice := 0
	var lastID string
	for i := 0; i < n; i++ {
		ch := C.mtmd_input_chunks_get(list, C.size_t(i))
		switch C.mtmd_input_chunk_get_type(ch) {
		case C.MTMD_INPUT_CHUNK_TYPE_TEXT:
			var nt C.size_t
			ptr := C.mtmd_input_chunk_get_tokens_text(ch, &nt)
			toks := make([]Token, int(nt))
			if nt > 0 {
				copy(toks, unsafe.Slice((*Token)(unsafe.Pointer(ptr)), int(nt)))
			}
			chunks = append(chunks, chunk{text: toks, nTok: len(toks), nPos: len(toks)})
			total += len(toks)
		case C.MTMD_INPUT_CHUNK_TYPE_IMAGE:
			id := C.GoString(C.mtmd_input_chunk_get_id(ch))
			if id != lastID || id == "" {
				imageIdx++
				slice = 0
			} else {
				slice++
			}
			lastID = id
			if imageIdx < len(ids) && ids[imageIdx] != "" {
				id = ids[imageIdx]
			}
			nt := int(C.mtmd_input_chunk_get_n_tokens(ch))
			if c.proj.info.NonCausal && (nt > c.nUBatch || nt > c.nBatch) {
				return opErr(op, ErrBatchTooSmall, "an image takes %d tokens but the batch holds %d (raise ContextOptions.UBatchSize)", nt, min(c.nBatch, c.nUBatch))
			}
			chunks = append(chunks, chunk{c: ch, nTok: nt, nPos: int(C.mtmd_input_chunk_get_n_pos(ch)), image: id, slice: slice})
			total += nt
		default:
			return opErr(op, ErrInvalidArgument, "audio input is not supported")
		}
	}
	if err := c.checkRoom(op, seq, total); err != nil {
		return err
	}

	stop := c.watch(ctx)
	defer stop()
	for _, ch := range chunks {
		if ch.c == nil {
			c.seqs[seq].pending = append(c.seqs[seq].pending, ch.text...)
			continue
		}
		// Text before an image must be in the cache before the image.
		if err := c.flushPending(ctx, op, seq); err != nil {
			c.removeLocked(seq)
			return err
		}
		if err := c.evalImage(ctx, op, seq, ch); err != nil {
			c.removeLocked(seq)
			return err
		}
	}
	return nil
}

// flushPending decodes the pending tokens of seq without logits.
func (c *Context) flushPending(ctx context.Context, op string, seq int) error {
	defer runtime.KeepAlive(c)
	s := &c.seqs[seq]
	toks := s.pending
	start := time.Now()
	for len(toks) > 0 {
		n := min(len(toks), c.nBatch)
		c.fillBatch(toks[:n], s.next, seq, false)
		var ret C.int32_t
		detail := trapErrors(func() { ret = C.llama_decode(c.p, c.batch) })
		c.stats.Decodes++
		if err := decodeErr(op, ctx, ret, detail); err != nil {
			return err
		}
		s.next += int32(n)
		c.addCells(seq, n)
		c.stats.PromptTokens += n
		toks = toks[n:]
	}
	s.pending = s.pending[:0]
	c.stats.PromptTime += time.Since(start)
	return nil
}

// fillBatch makes the context's batch hold toks of one sequence.
func (c *Context) fillBatch(toks []Token, pos0 int32, seq int, lastLogits bool) {
	defer runtime.KeepAlive(c)
	c.batch.n_tokens = C.int32_t(len(toks))
	c.addToBatch(0, toks, pos0, seq, lastLogits)
}

// evalImage encodes one image chunk (or takes it from the cache) and
// decodes its embeddings into seq.
func (c *Context) evalImage(ctx context.Context, op string, seq int, ch chunk) error {
	defer runtime.KeepAlive(c)
	s := &c.seqs[seq]
	nEmbd := c.model.meta.InputEmbeddingSize
	var key string
	var embd []float32
	if c.cache != nil && ch.image != "" {
		key = ch.image + "|" + c.proj.path + "|" + strconv.Itoa(ch.slice)
		if e, ok := c.cache.Get(key); ok && len(e) == ch.nTok*nEmbd {
			embd = e
			c.stats.ImageCacheHits++
		}
	}
	if embd == nil {
		start := time.Now()
		c.proj.mu.Lock()
		if c.proj.p == nil {
			c.proj.mu.Unlock()
			return &Error{Op: op, Err: fmt.Errorf("projector: %w", ErrClosed)}
		}
		var ret C.int32_t
		detail := trapErrors(func() { ret = C.mtmd_encode_chunk(c.proj.p, ch.c) })
		if ret != 0 {
			c.proj.mu.Unlock()
			return &Error{Op: op, Err: fmt.Errorf("image encode failed (code %d): %w", int(ret), ErrInvalidArgument), Detail: detail}
		}
		out := C.mtmd_get_output_embd(c.proj.p)
		// The projector's buffer is reused by the next encode: copy it
		// while holding the lock.
		embd = make([]float32, ch.nTok*nEmbd)
		copy(embd, unsafe.Slice((*float32)(unsafe.Pointer(out)), len(embd)))
		c.proj.mu.Unlock()
		c.stats.ImageEncodes++
		took := time.Since(start)
		c.stats.ImageEncodeTime += took
		if c.observe != nil {
			c.observe(Measure{Kind: MeasureImageEncode, Took: took, Tokens: ch.nTok})
		}
		if key != "" {
			c.cache.Put(key, embd)
		}
	}
	if err := ctx.Err(); err != nil {
		return &Error{Op: op, Err: fmt.Errorf("%w: %w", ErrAborted, err)}
	}

	pos := c.imagePositions(ch, s.next)
	nPosPerEmbd := len(pos) / ch.nTok
	start := time.Now()
	if c.proj.info.NonCausal {
		C.llama_set_causal_attn(c.p, false)
	}
	var ret C.int32_t
	detail := trapErrors(func() {
		ret = C.capgen_decode_embd(c.p, (*C.float)(unsafe.Pointer(&embd[0])), C.int32_t(ch.nTok), C.int32_t(nEmbd),
			C.int32_t(nPosPerEmbd), (*C.int32_t)(unsafe.Pointer(&pos[0])), C.int32_t(seq), C.int32_t(c.nBatch))
	})
	if c.proj.info.NonCausal {
		C.llama_set_causal_attn(c.p, true)
	}
	c.stats.Decodes += (ch.nTok + c.nBatch - 1) / c.nBatch
	c.stats.ImageDecodeTime += time.Since(start)
	if err := decodeErr(op, ctx, ret, detail); err != nil {
		return err
	}
	c.stats.ImageTokens += ch.nTok
	s.next += int32(ch.nPos)
	c.addCells(seq, ch.nTok)
	return nil
}

// imagePositions lays out the positions of an image chunk's embeddings:
// one per token, or for M-RoPE four dimensions (time, row, column, unused)
// each contiguous over all tokens, as llama_batch expects.
func (c *Context) imagePositions(ch chunk, pos0 int32) []int32 {
	defer runtime.KeepAlive(c)
	if !c.proj.info.MRoPE {
		pos := make([]int32, ch.nTok)
		for i := range pos {
			pos[i] = pos0 + int32(i)
		}
		return pos
	}
	it := C.mtmd_input_chunk_get_tokens_image(ch.c)
	nx := int(C.mtmd_image_tokens_get_nx(it))
	ny := int(C.mtmd_image_tokens_get_ny(it))
	n := ch.nTok
	pos := make([]int32, 4*n)
	for y := 0; y < ny; y++ {
		for x := 0; x < nx; x++ {
			i := y*nx + x
			if i >= n {
				break
			}
			pos[i] = pos0
			pos[n+i] = pos0 + int32(y)
			pos[2*n+i] = pos0 + int32(x)
		}
	}
	return pos
}
