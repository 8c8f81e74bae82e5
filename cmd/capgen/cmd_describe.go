package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/models"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/vision"
)

// modelOptions are the flags every command that runs a model shares.
type modelOptions struct {
	Model, MMProj string
	Threads       int
	GPULayers     int
	ContextSize   int
	MaxSide       int
	Parallel      int
	KVCache       string
	Verbose       bool
	MaxPixels     float64 // megapixels
	MaxFileSize   int     // MiB
	name          string  // --model as given (a registry name, toy or a file)
	// observe, when set, times the engine's encodes and decode steps.
	observe func(caption.Measure)
}

func (o *modelOptions) flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "model", Usage: "GGUF text model file, a pulled name from capgen models list, or toy (the embedded toy model)", Destination: &o.Model},
		&cli.StringFlag{Name: "mmproj", Usage: "GGUF projector (mmproj) file of the model (implied by a model name)", Destination: &o.MMProj},
		&cli.IntFlag{Name: "threads", Usage: "CPU threads (0 = all cores up to 16; more than the cores is lowered to them)", Destination: &o.Threads},
		&cli.IntFlag{Name: "gpu-layers", Usage: "layers on the GPU (0 = all, -1 = none)", Destination: &o.GPULayers},
		&cli.IntFlag{Name: "ctx-size", Usage: "context size in tokens (0 = 8192)", Destination: &o.ContextSize},
		&cli.IntFlag{Name: "max-side", Usage: "resize images so the longer side is at most this many pixels", Value: 1024, Destination: &o.MaxSide},
		&cli.IntFlag{Name: "parallel", Usage: "sequences decoded together (languages x regions x images; 0 = 64 on a GPU, 16 on a CPU)", Destination: &o.Parallel},
		&cli.StringFlag{Name: "kv-cache", Usage: "KV cache type: f16, q8_0 or q4_0 (q8_0 halves its memory)", Value: "f16", Destination: &o.KVCache},
		&cli.BoolFlag{Name: "verbose", Usage: "show llama.cpp's log", Destination: &o.Verbose},
		&cli.Float64Flag{Name: "max-pixels", Usage: "largest image accepted, in megapixels (checked from the header, before decoding)", Value: vision.DefaultMaxPixels / 1e6, Destination: &o.MaxPixels},
		&cli.IntFlag{Name: "max-file-size", Usage: "largest image file accepted, in MiB (checked before reading)", Value: vision.DefaultMaxFileBytes >> 20, Destination: &o.MaxFileSize},
	}
}

// decodeOptions are the image limits of the flags, and the size an image
// may be reduced to while it is decoded: sides times --max-side on its
// longer side (describe needs one model input; dense tiles and region
// crops need more of the original).
func (o *modelOptions) decodeOptions(sides int) *vision.Options {
	return &vision.Options{MaxPixels: int64(o.MaxPixels * 1e6), MaxFileBytes: int64(o.MaxFileSize) << 20,
		ReduceTo: sides * max(o.MaxSide, 0)}
}

// Decode-time reduction per command, in multiples of --max-side: region
// crops keep the detail of a box a quarter of the image's side.
const (
	reduceDescribe = 1
	reduceRegions  = 4
)

// reduceDense is what a dense grid needs: each tile at full model size.
func reduceDense(rows, cols int, secondLevel bool) int {
	n := max(rows, cols, 1)
	if secondLevel {
		n *= 2
	}
	return n
}

// checkDecode checks the image limits' flags.
func (o *modelOptions) checkDecode() error {
	if o.MaxPixels <= 0 || o.MaxPixels > 10000 {
		return usagef("--max-pixels %g: use more than 0 and at most 10000 megapixels", o.MaxPixels)
	}
	if o.MaxFileSize < 1 || o.MaxFileSize > 1<<20 {
		return usagef("--max-file-size %d: use 1 to %d MiB", o.MaxFileSize, 1<<20)
	}
	return nil
}

// open decodes the image first (a bad file fails before the model loads),
// then loads the engine.
func (o *modelOptions) open(ctx context.Context, path string, sides int) (*vision.Image, *caption.Engine, error) {
	if err := o.checkDecode(); err != nil {
		return nil, nil, err
	}
	img, err := vision.Load(path, o.decodeOptions(sides))
	if err != nil {
		return nil, nil, usageError{err}
	}
	e, err := o.engine(ctx)
	if err != nil {
		return nil, nil, err
	}
	return img, e, nil
}

// resolve turns a registry name into its pulled files and checks the
// flags that every model-running command shares.
func (o *modelOptions) resolve(ctx context.Context) error {
	if o.name == "" {
		o.name = o.Model
	}
	if o.Model == toy.ModelName {
		if o.MMProj != "" {
			return usagef("--model toy brings its own projector; drop --mmproj")
		}
		m, mm, err := toy.Files()
		if err != nil {
			return err
		}
		o.Model, o.MMProj = m, mm
	}
	// A registry name stands for its pulled pair.
	if _, err := models.Lookup(o.Model); err == nil {
		m, mm, ok := models.Resolve(o.Model, "")
		if !ok {
			return usagef("model %s is not pulled yet: run capgen models pull %s", o.Model, o.Model)
		}
		o.Model = m
		if o.MMProj == "" {
			o.MMProj = mm
		}
	}
	switch {
	case o.Threads < 0:
		return usagef("--threads %d: use 0 (all cores up to 16) or a count", o.Threads)
	case o.Threads > llama.MaxThreads():
		notef(ctx, "--threads %d: this machine has %d cores; using %d", o.Threads, llama.MaxThreads(), llama.MaxThreads())
		o.Threads = llama.MaxThreads()
	}
	if o.ContextSize != 0 && (o.ContextSize < 256 || o.ContextSize > llama.MaxContextSize) {
		return usagef("--ctx-size %d: use 0 (8192) or 256 to %d", o.ContextSize, llama.MaxContextSize)
	}
	if o.MaxSide < 16 || o.MaxSide > 16384 {
		return usagef("--max-side %d: use 16 to 16384", o.MaxSide)
	}
	switch o.KVCache {
	case "", "f16", "q8_0", "q4_0":
	default:
		return usagef("--kv-cache %q: use f16, q8_0 or q4_0", o.KVCache)
	}
	if o.Parallel < 0 || o.Parallel == 1 || o.Parallel > llama.MaxSequences() {
		return usagef("--parallel %d: use 0 (auto) or 2 to %d", o.Parallel, llama.MaxSequences())
	}
	if o.Model != "" {
		if _, err := os.Stat(o.Model); err != nil && !strings.ContainsAny(o.Model, `/\`) && !strings.HasSuffix(strings.ToLower(o.Model), ".gguf") {
			// Neither a file nor a known name: most likely a typo.
			if near := models.Suggest(o.Model); len(near) > 0 {
				return usagef("--model %s: no such file and no known model; did you mean %s? (capgen models list)", o.Model, strings.Join(near, " or "))
			}
			return usagef("--model %s: no such file and no known model (capgen models list shows the names; --model toy runs the embedded toy model)", o.Model)
		}
	}
	if o.Model == "" || o.MMProj == "" {
		return usagef("no model pair: give --model (a .gguf file, a name from capgen models list after capgen models pull NAME, or toy for the embedded toy model) and --mmproj for a file; or set CAPGEN_MODEL/CAPGEN_MMPROJ, or model:/mmproj: in the config file ($XDG_CONFIG_HOME/capgen/config.yaml)")
	}
	return nil
}

// engine loads the model pair into a caption engine.
func (o *modelOptions) engine(ctx context.Context) (*caption.Engine, error) {
	if err := o.resolve(ctx); err != nil {
		return nil, err
	}
	if o.Verbose {
		llama.SetLogger(stderrLogger())
	}
	e, err := caption.Load(ctx, o.Model, o.MMProj,
		&caption.LoadOptions{Model: llama.ModelOptions{GPULayers: o.GPULayers}, Projector: llama.ProjectorOptions{Threads: o.Threads}},
		&caption.Options{Threads: o.Threads, ContextSize: o.ContextSize, MaxSide: o.MaxSide,
			MaxSequences: o.Parallel, KVCache: caption.KVCacheType(o.KVCache), Observe: o.observe})
	return e, err
}

// noteUngrounded names on stderr the sentences grounding flagged.
func noteUngrounded(ctx context.Context, where string, c caption.Caption) {
	if c.Grounding == nil {
		return
	}
	for _, s := range c.Grounding.Sentences {
		if !s.Grounded {
			notef(ctx, "%s: possibly ungrounded (gain %.2f, least supported token %.2f): %q", where, s.Gain, s.MinGain, s.Text)
		}
	}
}

// describeOptions are the flags of `capgen describe`.
type describeOptions struct {
	modelOptions
	captionOptions
	Question    string
	Format      string
	Temperature float64
	TopP        float64
	Seed        uint
	Raw         bool
	Ground      bool
	DropUngr    bool
}

func describeCommand() *cli.Command {
	var o describeOptions
	return &cli.Command{
		Name:      "describe",
		Usage:     "caption an image in one or more languages",
		ArgsUsage: "IMAGE",
		Flags: append(append(o.modelOptions.flags(), o.captionOptions.flags()...),
			&cli.StringFlag{Name: "question", Usage: "ask a question about the image instead", Destination: &o.Question},
			formatFlag(&o.Format),
			&cli.Float64Flag{Name: "temperature", Usage: "sampling temperature (0 = greedy)", Destination: &o.Temperature},
			&cli.Float64Flag{Name: "top-p", Usage: "nucleus sampling: keep the most likely tokens up to this probability mass (0 or 1 = off; with --temperature)", Destination: &o.TopP},
			&cli.UintFlag{Name: "seed", Usage: "sampling seed", Destination: &o.Seed},
			&cli.BoolFlag{Name: "raw", Usage: "print the model's text without clean-up", Destination: &o.Raw},
			&cli.BoolFlag{Name: "ground", Usage: "score each sentence with and without the image (JSON: each caption's grounding; ungrounded sentences are named on stderr)", Destination: &o.Ground},
			&cli.BoolFlag{Name: "drop-ungrounded", Usage: "remove the sentences the image does not support (implies --ground)", Destination: &o.DropUngr},
		),
		Action: oneImage("describe", func(c *cli.Context, path string) error {
			return runDescribe(c.Context, c.App.Writer, o, path)
		}),
	}
}

func runDescribe(ctx context.Context, w io.Writer, o describeOptions, path string) error {
	langs, detail, strategy, err := o.captionOptions.parse()
	if err != nil {
		return err
	}
	if o.TopP < 0 || o.TopP > 1 {
		return usagef("--top-p %g: use 0 to 1", o.TopP)
	}
	if o.Temperature < 0 {
		return usagef("--temperature %g must not be negative", o.Temperature)
	}
	if err := checkFormat(o.Format); err != nil {
		return err
	}
	img, e, err := o.open(ctx, path, reduceDescribe)
	if err != nil {
		return err
	}
	defer e.Close()
	o.warnUnclaimed(ctx, langs)
	res, err := e.Describe(ctx, &caption.Request{
		Image:          img,
		Languages:      langs,
		Detail:         detail,
		Strategy:       strategy,
		Instruction:    o.Prompt,
		Question:       o.Question,
		Raw:            o.Raw,
		OnMismatch:     o.policy,
		PivotLanguage:  o.pivot,
		Ground:         o.Ground,
		DropUngrounded: o.DropUngr,
		Generation: caption.Generation{MaxTokens: o.MaxTokens,
			Sampling: caption.Sampling{Temperature: float32(o.Temperature), TopP: float32(o.TopP), Seed: uint32(o.Seed)}},
	})
	if err != nil {
		return err
	}
	var caps []labeled
	for _, c := range res.Captions {
		caps = append(caps, labeled{c.Language.Tag, c})
		noteUngrounded(ctx, c.Language.Tag, c)
	}
	if o.Format != "text" {
		if err := writeJSON(w, o.Format, struct {
			File string `json:"file"`
			*caption.Result
		}{path, res}); err != nil {
			return err
		}
		return checkCaptions(ctx, o.policy, strategy, caps)
	}
	for _, c := range res.Captions {
		if c.Failed() {
			continue
		}
		text := strings.TrimSpace(c.Text)
		if len(res.Captions) > 1 {
			text = c.Language.Tag + ": " + text
		}
		if _, err := fmt.Fprintln(w, text); err != nil {
			return err
		}
	}
	return checkCaptions(ctx, o.policy, strategy, caps)
}
