package toy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/gguf"
	"github.com/capgen/capgen/internal/synth"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

// FileTypes are the tensor types of the toy model's files: the text model
// in F32, the projector's matrices in F16 (its 48 px patch embedding is
// most of its size; F16 keeps the pair under 10 MB), norms and biases F32.
func FileTypes() *synth.WriteOptions {
	return &synth.WriteOptions{Type: gguf.F32, VisionType: gguf.F16}
}

// FileNames returns the names of the toy model's text model and projector
// files, as cmd/toyexport writes them.
func FileNames() (model, mmproj string) {
	p := synth.Pair{Name: Name}
	return synth.FileNames(&p, FileTypes())
}

// ErrNoModel is returned by Open when the model files are missing.
var ErrNoModel = errors.New("toy: model files not found")

// Captioner captions images with the toy model the way capgen does: the
// image as decoded by package vision, packed RGB to llama.cpp, whose
// projector preprocesses it; the prompt from package caption's templates
// in the model's chat template; greedy decoding until the end of the turn.
// A Captioner is used by one goroutine at a time.
type Captioner struct {
	Model     *llama.Model
	Projector *llama.Projector
	ctx       *llama.Context
	prompts   map[string]string
}

// Options configures Open; nil means defaults.
type Options struct {
	// Threads for llama.cpp; 0 means 1, which suits a model this small
	// (ggml's threads spin-wait, costly on a busy machine).
	Threads int
	// Cache, if set, sees the image embeddings (the logits check uses it).
	Cache llama.EmbeddingCache
}

// Open loads the toy model from dir (testdata/toy in the repository).
func Open(ctx context.Context, dir string, opt *Options) (*Captioner, error) {
	if opt == nil {
		opt = &Options{}
	}
	threads := opt.Threads
	if threads == 0 {
		threads = 1
	}
	m, mm := FileNames()
	mp, mmp := filepath.Join(dir, m), filepath.Join(dir, mm)
	for _, p := range []string{mp, mmp} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%w: %s (run `make toy-model` to train and export it)", ErrNoModel, p)
		}
	}
	model, err := llama.LoadModel(ctx, mp, &llama.ModelOptions{GPULayers: -1})
	if err != nil {
		return nil, err
	}
	proj, err := llama.LoadProjector(model, mmp, &llama.ProjectorOptions{CPUOnly: true, Threads: threads, NoWarmup: true})
	if err != nil {
		model.Close()
		return nil, err
	}
	lctx, err := llama.NewContext(model, &llama.ContextOptions{
		Projector: proj, ContextSize: 512, MaxSequences: 1, Threads: threads, BatchThreads: threads, Cache: opt.Cache,
	})
	if err != nil {
		proj.Close()
		model.Close()
		return nil, err
	}
	return &Captioner{Model: model, Projector: proj, ctx: lctx, prompts: map[string]string{}}, nil
}

// Close frees the model. Close is idempotent.
func (c *Captioner) Close() error {
	if c.ctx == nil {
		return nil
	}
	err := errors.Join(c.ctx.Close(), c.Projector.Close(), c.Model.Close())
	c.ctx = nil
	return err
}

// Caption returns the model's answer for img in lang and mode, and its
// tokens (without the end-of-turn token).
func (c *Captioner) Caption(ctx context.Context, img *vision.Image, lang string, mode caption.Mode) (string, []llama.Token, error) {
	key := lang + "/" + string(mode)
	text, ok := c.prompts[key]
	if !ok {
		var err error
		if text, err = PromptText(c.Model, lang, mode); err != nil {
			return "", nil, err
		}
		c.prompts[key] = text
	}
	rgb := img.RGB()
	if err := c.ctx.Clear(); err != nil {
		return "", nil, err
	}
	p := llama.Prompt{Text: text, AddSpecial: true, Images: []llama.Image{{RGB: rgb.Pix, Width: rgb.Width, Height: rgb.Height}}}
	if err := c.ctx.Append(ctx, 0, p); err != nil {
		return "", nil, err
	}
	out, err := c.ctx.Generate(ctx, []llama.GenerateRequest{{Seq: 0, MaxTokens: 100}})
	if err != nil {
		return "", nil, err
	}
	toks := out[0].Tokens
	if n := len(toks); n > 0 && c.Model.IsEndOfGeneration(toks[n-1]) {
		toks = toks[:n-1]
	}
	return strings.TrimSpace(out[0].Text), toks, nil
}
