package caption

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/capgen/capgen/llama"
)

// Sentinel errors of the engine, matched with errors.Is.
var (
	// ErrNoVision: the engine has no projector, so it cannot see images.
	ErrNoVision = errors.New("caption: the model has no vision projector (load its mmproj file)")
	// ErrImageTooLarge: one image with its prompt does not fit the context.
	ErrImageTooLarge = errors.New("caption: image needs more tokens than the context holds")
	// ErrClosed: the engine was closed.
	ErrClosed = errors.New("caption: engine is closed")
	// ErrBadRequest: a request is malformed (no image, no boxes, bad sizes).
	ErrBadRequest = errors.New("caption: bad request")
)

// Options configures an Engine. A nil *Options means defaults; each zero
// field means the default written on it.
type Options struct {
	// Contexts is how many llama contexts the engine keeps, i.e. how many
	// requests run at once; 0 means 1. Each holds its own KV cache.
	Contexts int
	// ContextSize is the KV cache of each context in tokens, shared by all
	// outputs of one round; 0 means 8192.
	ContextSize int
	// MaxSequences is how many sequences one context decodes together
	// (languages x regions x images of a batch, and their shared
	// prefixes); 0 chooses by device: 64 when the model runs on a GPU,
	// where more sequences per step cost little, 16 on a CPU, where each
	// costs compute.
	MaxSequences int
	// KVCache is the element type of the KV cache ("" = f16); q8_0 halves
	// its memory.
	KVCache KVCacheType
	// Threads for llama.cpp; 0 means llama.DefaultThreads().
	Threads int
	// BatchSize is llama.cpp's batch; 0 means 512.
	BatchSize int
	// Templates are the prompt templates; nil means DefaultTemplates().
	Templates *Templates
	// ChatTemplate overrides the model's chat template ("" = the model's,
	// or chatml when it has none).
	ChatTemplate string
	// MaxSide bounds the longer image side handed to the projector (it
	// resizes again to its own input); 0 means 1024.
	MaxSide int
	// Cache stores image embeddings across calls; nil means a 256 MiB LRU
	// cache. Use NoCache to disable.
	Cache llama.EmbeddingCache
	// NoCache disables the embedding cache.
	NoCache bool
	// Detector checks output languages; nil means NewDetector(nil).
	Detector *Detector
	// ModelID names the model in results; "" means the model file name.
	ModelID string
	// Observe, if set, gets every image encode and decode step of the
	// engine's contexts, timed (llama.ContextOptions.Observe).
	Observe func(Measure)
}

// Engine captions images with one loaded model pair. An Engine is safe for
// concurrent use by several goroutines: each call takes one of its pooled
// llama contexts (Options.Contexts) and waits while all are busy.
type Engine struct {
	busy     atomic.Int64 // sequences in use over all contexts
	model    *llama.Model
	proj     *llama.Projector
	owned    bool // model and projector were loaded by Load and are closed by Close
	opt      Options
	tmpl     *Templates
	detector *Detector
	pool     chan *llama.Context
	all      []*llama.Context
	// done is closed by Close: callers waiting for a context stop waiting.
	done chan struct{}
	// tokenCounts caches the projector's token count per image size.
	tokenCounts tokenCounts
	mu          sync.Mutex
	closed      bool
}

// New makes an engine over a loaded model and projector (nil projector:
// text-only, for translation). The caller keeps ownership of both and
// closes them after the engine.
func New(model *llama.Model, proj *llama.Projector, opt *Options) (*Engine, error) {
	o := Options{}
	if opt != nil {
		o = *opt
	}
	if o.Contexts <= 0 {
		o.Contexts = 1
	}
	if o.ContextSize <= 0 {
		o.ContextSize = 8192
	}
	if o.MaxSequences <= 0 {
		o.MaxSequences = 16
		if model.OnGPU() {
			o.MaxSequences = 64
		}
	}
	if o.MaxSequences < 2 {
		return nil, fmt.Errorf("%w: MaxSequences %d; the engine needs at least 2 (a shared prefix and an output)", ErrBadRequest, o.MaxSequences)
	}
	if o.MaxSide <= 0 {
		o.MaxSide = 1024
	}
	if o.Templates == nil {
		o.Templates = DefaultTemplates()
	}
	if o.Detector == nil {
		o.Detector = NewDetector(nil)
	}
	if o.Cache == nil && !o.NoCache {
		o.Cache = llama.NewLRUCache(256 << 20)
	}
	if o.NoCache {
		o.Cache = nil
	}
	if o.ModelID == "" {
		o.ModelID = baseName(model.Path())
	}
	e := &Engine{model: model, proj: proj, opt: o, tmpl: o.Templates, detector: o.Detector, pool: make(chan *llama.Context, o.Contexts), done: make(chan struct{})}
	for range o.Contexts {
		c, err := llama.NewContext(model, &llama.ContextOptions{
			ContextSize:  o.ContextSize,
			BatchSize:    o.BatchSize,
			MaxSequences: o.MaxSequences,
			Threads:      o.Threads,
			KVCache:      o.KVCache,
			Projector:    proj,
			Cache:        o.Cache,
			Observe:      o.Observe,
		})
		if err != nil {
			e.Close()
			return nil, err
		}
		e.all = append(e.all, c)
		e.pool <- c
	}
	return e, nil
}

// LoadOptions configures Load.
type LoadOptions struct {
	Model     llama.ModelOptions
	Projector llama.ProjectorOptions
}

// Load loads a model pair from files and makes an engine that owns it:
// Close frees the model and projector too. mmprojPath may be empty for a
// text-only engine.
func Load(ctx context.Context, modelPath, mmprojPath string, lopt *LoadOptions, opt *Options) (*Engine, error) {
	if lopt == nil {
		lopt = &LoadOptions{}
	}
	model, err := llama.LoadModel(ctx, modelPath, &lopt.Model)
	if err != nil {
		return nil, err
	}
	var proj *llama.Projector
	if mmprojPath != "" {
		if proj, err = llama.LoadProjector(model, mmprojPath, &lopt.Projector); err != nil {
			model.Close()
			return nil, err
		}
	}
	e, err := New(model, proj, opt)
	if err != nil {
		if proj != nil {
			proj.Close()
		}
		model.Close()
		return nil, err
	}
	e.owned = true
	return e, nil
}

// Close frees the engine's contexts (and the model pair when it was made
// by Load). It waits for running calls to return their contexts. Close is
// idempotent.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	close(e.done)
	e.mu.Unlock()
	// Calls in progress finish and give their contexts back first.
	for range e.all {
		c := <-e.pool
		c.Close()
	}
	if e.owned {
		if e.proj != nil {
			e.proj.Close()
		}
		e.model.Close()
	}
	return nil
}

// Model returns the engine's model.
func (e *Engine) Model() *llama.Model { return e.model }

// ModelID is the name results carry (Options.ModelID, or the model file's
// name).
func (e *Engine) ModelID() string { return e.opt.ModelID }

// MaxSequences is how many sequences one context decodes together.
func (e *Engine) MaxSequences() int { return e.opt.MaxSequences }

// BusySequences is how many sequences the engine's contexts hold now
// (shared image prefixes and outputs).
func (e *Engine) BusySequences() int { return int(e.busy.Load()) }

// Projector returns the engine's projector (nil for text-only engines).
func (e *Engine) Projector() *llama.Projector { return e.proj }

// Templates returns the prompt templates in use.
func (e *Engine) Templates() *Templates { return e.tmpl }

// checkOpen fails after Close.
func (e *Engine) checkOpen() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	return nil
}

// acquire takes a context from the pool, waiting while all are busy.
func (e *Engine) acquire(ctx context.Context) (*llama.Context, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	select {
	case c := <-e.pool:
		return c, nil
	case <-e.done:
		// Close drains the pool: a call that waited for a context when
		// it began would wait for ever.
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (e *Engine) release(c *llama.Context) { e.pool <- c }

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == '\\' {
			return p[i+1:]
		}
	}
	return p
}
