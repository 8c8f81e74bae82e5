package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/batch"
	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/gguf"
	"github.com/capgen/capgen/internal/synth"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/models"
	toyscene "github.com/capgen/capgen/toy/scene"
	"github.com/capgen/capgen/vision"
)

// benchOptions are the flags of `capgen bench`.
type benchOptions struct {
	modelOptions
	Preset    string
	Images    int
	Size      string
	Langs     string
	Seqs      string
	GenTokens int
	MaxTokens int
	KVTypes   string
	Baselines string
	Leak      int
	Format    string
	Out       string
}

func benchCommand() *cli.Command {
	var o benchOptions
	return &cli.Command{
		Name:  "bench",
		Usage: "measure image encode, prefill, generation and batch speed against baselines in the same run",
		Description: "Runs on a model pair (--model/--mmproj, a pulled name, toy) or on a random-weight pair\n" +
			"of a real model's shapes (--preset, written once into the model cache). Baselines are\n" +
			"measured in the same run and reported as ratios: naive (one image at a time, model\n" +
			"loaded once), process (one capgen process per image, as a llama-mtmd-cli loop),\n" +
			"languages (one call per language instead of all languages on one encode) and serve\n" +
			"(1, 4 and 16 HTTP clients of capgen serve on loopback against an in-process batch).",
		Flags: append(o.modelOptions.flags(),
			&cli.StringFlag{Name: "preset", Usage: "random-weight pair of real shapes: " + strings.Join(synth.PresetNames(), ", "), Destination: &o.Preset},
			&cli.IntFlag{Name: "images", Usage: "images for the batch figures", Value: 8, Destination: &o.Images},
			&cli.StringFlag{Name: "size", Usage: "size of the generated test images, WxH", Value: "640x480", Destination: &o.Size},
			&cli.StringFlag{Name: "lang", Usage: "languages of the languages figure (the first alone is the one-language case)", Value: "en,de,fr,es,ja", Destination: &o.Langs},
			&cli.StringFlag{Name: "seqs", Usage: "sequence counts of the generation figure", Value: "1,4,16,64", Destination: &o.Seqs},
			&cli.IntFlag{Name: "gen-tokens", Usage: "tokens per sequence in the generation figure", Value: 32, Destination: &o.GenTokens},
			&cli.IntFlag{Name: "max-tokens", Usage: "most tokens per caption in the batch figures", Value: 32, Destination: &o.MaxTokens},
			&cli.StringFlag{Name: "kv-types", Usage: "KV cache types compared in the generation figure", Value: "f16,q8_0", Destination: &o.KVTypes},
			&cli.StringFlag{Name: "baselines", Usage: "baselines to run: naive, process, languages, serve, ground (comma-separated, or none)", Value: "naive,process,languages,serve,ground", Destination: &o.Baselines},
			&cli.IntFlag{Name: "leak", Usage: "also caption this many images and report memory growth (0 = skip)", Destination: &o.Leak},
			&cli.StringFlag{Name: "format", Usage: "table or json", Value: "table", Destination: &o.Format},
			&cli.StringFlag{Name: "out", Usage: "also write the JSON report to this file", Destination: &o.Out},
		),
		Action: func(c *cli.Context) error {
			errw := c.App.ErrWriter
			if global(c, "quiet").Bool("quiet") {
				errw = io.Discard // progress lines only; errors are returned
			}
			return runBench(c.Context, c.App.Writer, errw, o)
		},
	}
}

// benchReport is the bench's result; the JSON form is documented in
// docs/performance.md.
type benchReport struct {
	Machine    benchMachine      `json:"machine"`
	Model      benchModel        `json:"model"`
	Encode     benchEncode       `json:"image_encode"`
	Prefill    benchRate         `json:"prefill"`
	Generate   []benchGenerate   `json:"generate"`
	Batch      *benchBatch       `json:"batch,omitempty"`
	Languages  *benchLanguages   `json:"languages,omitempty"`
	Serve      *benchServe       `json:"serve,omitempty"`
	Ground     *benchGround      `json:"ground,omitempty"`
	Memory     benchMemory       `json:"memory"`
	Leak       *benchLeak        `json:"leak,omitempty"`
	Notes      []string          `json:"notes,omitempty"`
	Settings   map[string]any    `json:"settings"`
	Timestamps map[string]string `json:"timestamps"`
}

type benchMachine struct {
	CPUs       int           `json:"cpus"`
	Threads    int           `json:"threads"`
	GOOS       string        `json:"goos"`
	GOARCH     string        `json:"goarch"`
	GoVersion  string        `json:"go_version"`
	GPUOffload bool          `json:"gpu_offload"`
	Backend    string        `json:"backend"`
	System     string        `json:"llama_system_info"`
	LlamaCpp   string        `json:"llama_cpp"`
	Devices    []benchDevice `json:"devices"`
}

type benchDevice struct {
	Name        string  `json:"name"`
	Kind        string  `json:"kind"`
	Description string  `json:"description"`
	FreeMiB     float64 `json:"free_mib"`
	TotalMiB    float64 `json:"total_mib"`
}

type benchModel struct {
	Model       string  `json:"model"`
	MMProj      string  `json:"mmproj"`
	Description string  `json:"description"`
	Parameters  uint64  `json:"parameters"`
	SizeMiB     float64 `json:"size_mib"`
	Projector   string  `json:"projector"`
	OnGPU       bool    `json:"on_gpu"`
	LoadMS      float64 `json:"load_ms"`
}

type benchEncode struct {
	Width         int     `json:"width"`
	Height        int     `json:"height"`
	Slices        int     `json:"slices"`
	ImageTokens   int     `json:"image_tokens"`
	EncodeMS      float64 `json:"encode_ms"`       // vision encoder and projector, per image
	EmbedDecodeMS float64 `json:"embed_decode_ms"` // image embeddings into the KV cache, per image
}

type benchRate struct {
	Tokens       int     `json:"tokens"`
	TokensPerSec float64 `json:"tokens_per_s"`
}

type benchGenerate struct {
	KVCache      string  `json:"kv_cache"`
	KVMiB        float64 `json:"kv_mib"` // the whole KV cache of the context
	Sequences    int     `json:"sequences"`
	Tokens       int     `json:"tokens"`
	TokensPerSec float64 `json:"tokens_per_s"`
	// The bandwidth bound (bandwidth / weight bytes) is computed by
	// scripts/gpu-check.sh, which knows the GPU's bandwidth.
}

type benchBatch struct {
	Images         int     `json:"images"`
	Languages      int     `json:"languages"`
	Parallel       int     `json:"parallel"`
	ImagesPerSec   float64 `json:"images_per_s"`
	NaivePerSec    float64 `json:"naive_images_per_s,omitempty"`
	ProcessPerSec  float64 `json:"process_images_per_s,omitempty"`
	ProcessImages  int     `json:"process_images,omitempty"`
	VsNaive        float64 `json:"batch_vs_naive,omitempty"`
	VsProcess      float64 `json:"batch_vs_process,omitempty"`
	ProcessPeakMiB float64 `json:"process_peak_rss_mib,omitempty"`
}

type benchLanguages struct {
	Languages  []string `json:"languages"`
	OneMS      float64  `json:"one_language_ms"`
	AllMS      float64  `json:"all_languages_ms"`
	SeparateMS float64  `json:"separate_calls_ms"`
	AllVsOne   float64  `json:"all_vs_one"`
	SepVsAll   float64  `json:"separate_vs_all"`
}

type benchMemory struct {
	PeakRSSMiB float64   `json:"peak_rss_mib"`
	RSSMiB     float64   `json:"rss_mib"`
	GPUUsedMiB []float64 `json:"gpu_used_mib,omitempty"` // per GPU device: total - free after loading
}

type benchLeak struct {
	Images    int       `json:"images"`
	RSSMiB    []float64 `json:"rss_mib"`    // after each tenth of the images
	GrowthMiB float64   `json:"growth_mib"` // last sample minus the second (after warm-up)
}

func runBench(ctx context.Context, w, errw io.Writer, o benchOptions) error {
	b, err := newBenchRun(ctx, errw, o)
	if err != nil {
		return err
	}
	if err := b.load(); err != nil {
		return err
	}
	defer b.model.Close()
	defer b.proj.Close()
	for _, step := range []func() error{b.encode, b.prefill, b.generate, b.batches} {
		if err := step(); err != nil {
			return err
		}
	}
	rep := b.rep
	rep.Memory.PeakRSSMiB, rep.Memory.RSSMiB = peakRSS(), currentRSS()
	rep.Timestamps["end"] = time.Now().UTC().Format(time.RFC3339)
	if o.Out != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.Out, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("--out %s: %w", o.Out, err)
		}
	}
	if o.Format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.table(w)
	return nil
}

// benchRun is one capgen bench: its settings, the loaded pair and the
// report the steps fill in.
type benchRun struct {
	ctx           context.Context
	errw          io.Writer
	o             benchOptions
	width, height int
	seqs          []int
	langs         []caption.Language
	kvTypes       []llama.KVCacheType
	baselines     map[string]bool
	threads       int
	rep           *benchReport

	model *llama.Model
	proj  *llama.Projector
	img   llama.Image // the encode and generation figures' image
}

// newBenchRun checks the flags and starts the report.
func newBenchRun(ctx context.Context, errw io.Writer, o benchOptions) (*benchRun, error) {
	if o.Format != "table" && o.Format != "json" {
		return nil, usagef("--format %q: use table or json", o.Format)
	}
	b := &benchRun{ctx: ctx, errw: errw, o: o, baselines: map[string]bool{}}
	var err error
	if b.width, b.height, err = parseSize(o.Size); err != nil {
		return nil, err
	}
	if b.seqs, err = parseInts("--seqs", o.Seqs); err != nil {
		return nil, err
	}
	if b.langs, err = caption.ParseLanguages(o.Langs); err != nil {
		return nil, usagef("--lang: %v", err)
	}
	for _, k := range strings.Split(o.KVTypes, ",") {
		switch k = strings.TrimSpace(k); k {
		case "f16", "q8_0", "q4_0":
			b.kvTypes = append(b.kvTypes, llama.KVCacheType(k))
		default:
			return nil, usagef("--kv-types: %q is not f16, q8_0 or q4_0", k)
		}
	}
	for _, bl := range strings.Split(o.Baselines, ",") {
		switch bl = strings.TrimSpace(bl); bl {
		case "naive", "process", "languages", "serve", "ground":
			b.baselines[bl] = true
		case "none", "":
		default:
			return nil, usagef("--baselines: %q is not naive, process, languages, serve, ground or none", bl)
		}
	}
	if o.Images < 1 || o.GenTokens < 1 || o.MaxTokens < 1 || o.Leak < 0 {
		return nil, usagef("--images, --gen-tokens and --max-tokens must be at least 1 and --leak at least 0")
	}
	if o.Preset != "" {
		if o.Model != "" {
			return nil, usagef("--preset and --model exclude each other")
		}
		if b.o.Model, b.o.MMProj, err = writePreset(o.Preset, errw); err != nil {
			return nil, err
		}
	}
	if err := b.o.modelOptions.resolve(ctx); err != nil {
		return nil, err
	}
	if o.Verbose {
		llama.SetLogger(stderrLogger())
	}
	b.threads = o.Threads
	if b.threads <= 0 {
		b.threads = llama.DefaultThreads()
	}
	b.rep = &benchReport{
		Machine: benchMachine{
			CPUs: runtime.NumCPU(), Threads: b.threads, GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GoVersion: runtime.Version(),
			GPUOffload: llama.SupportsGPUOffload(), Backend: llama.Backend, System: llama.SystemInfo(), LlamaCpp: llama.LlamaCppCommit + " (" + llama.SourceModule + ")",
		},
		Settings: map[string]any{
			"images": o.Images, "size": fmt.Sprintf("%dx%d", b.width, b.height), "languages": o.Langs, "gen_tokens": o.GenTokens,
			"max_tokens": o.MaxTokens, "threads": b.threads, "gpu_layers": o.GPULayers, "parallel": o.Parallel,
		},
		Timestamps: map[string]string{"start": time.Now().UTC().Format(time.RFC3339)},
	}
	if note := gpuNote(); note != "" {
		b.rep.Notes = append(b.rep.Notes, note)
	}
	return b, nil
}

func (b *benchRun) progress(format string, args ...any) {
	if b.o.Format == "table" {
		fmt.Fprintf(b.errw, "bench: "+format+"\n", args...)
	}
}

// load loads the pair and records the model and the devices.
func (b *benchRun) load() error {
	t0 := time.Now()
	model, err := llama.LoadModel(b.ctx, b.o.Model, &llama.ModelOptions{GPULayers: b.o.GPULayers})
	if err != nil {
		return err
	}
	proj, err := llama.LoadProjector(model, b.o.MMProj, &llama.ProjectorOptions{Threads: b.threads})
	if err != nil {
		model.Close()
		return err
	}
	b.model, b.proj = model, proj
	md := model.Metadata()
	b.rep.Model = benchModel{Model: b.o.Model, MMProj: b.o.MMProj, Description: md.Description, Parameters: md.Parameters,
		SizeMiB: mib(md.SizeBytes), Projector: proj.Info().Type, OnGPU: model.OnGPU(), LoadMS: ms(time.Since(t0))}
	for _, d := range llama.Devices() {
		b.rep.Machine.Devices = append(b.rep.Machine.Devices, benchDevice{d.Name, string(d.Kind), d.Description, mib(d.FreeBytes), mib(d.TotalBytes)})
		if d.Kind == llama.DeviceGPU || d.Kind == llama.DeviceIntegrated {
			b.rep.Memory.GPUUsedMiB = append(b.rep.Memory.GPUUsedMiB, mib(d.TotalBytes-d.FreeBytes))
		}
	}
	rgb := benchImage(b.width, b.height, 1).RGB()
	b.img = llama.Image{RGB: rgb.Pix, Width: rgb.Width, Height: rgb.Height}
	return nil
}

// encode times the image encode: the same image three times, no cache.
func (b *benchRun) encode() error {
	b.progress("image encode")
	c, err := llama.NewContext(b.model, &llama.ContextOptions{ContextSize: 8192, Threads: b.threads, Projector: b.proj})
	if err != nil {
		return err
	}
	defer c.Close()
	prompt, err := benchPrompt(b.model, "Describe the image.")
	if err != nil {
		return err
	}
	const reps = 3
	for range reps {
		if err := c.Clear(); err != nil {
			return err
		}
		if err := c.Append(b.ctx, 0, llama.Prompt{Text: prompt, Images: []llama.Image{b.img}, AddSpecial: true}); err != nil {
			return err
		}
	}
	st := c.Stats()
	tokens, _, err := b.proj.ImageTokens(b.img.Width, b.img.Height)
	if err != nil {
		return err
	}
	b.rep.Encode = benchEncode{Width: b.width, Height: b.height, Slices: st.ImageEncodes / reps, ImageTokens: tokens,
		EncodeMS: ms(st.ImageEncodeTime) / reps, EmbedDecodeMS: ms(st.ImageDecodeTime) / reps}
	return nil
}

// prefill times about 512 tokens of text in one sequence, best of three.
func (b *benchRun) prefill() error {
	b.progress("prefill")
	c, err := llama.NewContext(b.model, &llama.ContextOptions{ContextSize: 2048, Threads: b.threads})
	if err != nil {
		return err
	}
	defer c.Close()
	text := strings.Repeat("A photograph of a quiet street with small shops, bicycles and trees in the evening light. ", 40)
	toks, err := b.model.Tokenize(text, llama.TokenizeOptions{})
	if err != nil {
		return err
	}
	toks = toks[:min(len(toks), 512)]
	var best time.Duration
	for r := range 3 {
		if err := c.Clear(); err != nil {
			return err
		}
		start := time.Now()
		if err := c.AppendTokens(0, toks); err != nil {
			return err
		}
		if _, err := c.Logits(b.ctx, 0); err != nil {
			return err
		}
		if d := time.Since(start); r == 0 || d < best {
			best = d
		}
	}
	b.rep.Prefill = benchRate{Tokens: len(toks), TokensPerSec: float64(len(toks)) / best.Seconds()}
	return nil
}

// generate times generation at several sequence counts and KV cache
// types.
func (b *benchRun) generate() error {
	prompt, err := benchPrompt(b.model, "Describe the image.")
	if err != nil {
		return err
	}
	maxSeq := llama.MaxSequences()
	for _, kv := range b.kvTypes {
		for _, n := range b.seqs {
			if n < 1 || n > maxSeq {
				b.rep.Notes = append(b.rep.Notes, fmt.Sprintf("%d sequences skipped: llama.cpp allows 1 to %d", n, maxSeq))
				continue
			}
			b.progress("generate: %d sequences, KV %s", n, kv)
			size := 512 + n*(b.o.GenTokens+64)
			c, err := llama.NewContext(b.model, &llama.ContextOptions{ContextSize: size, MaxSequences: n, Threads: b.threads, Projector: b.proj, KVCache: kv})
			if err != nil && kv != llama.KVCacheF16 {
				// Quantized caches need head sizes that fill their blocks.
				b.rep.Notes = append(b.rep.Notes, fmt.Sprintf("KV cache %s skipped: %v", kv, err))
				break
			}
			if err != nil {
				return err
			}
			tokens, took, err := b.generateOnce(c, prompt, n)
			c.Close()
			if err != nil {
				return err
			}
			b.rep.Generate = append(b.rep.Generate, benchGenerate{KVCache: string(kv), KVMiB: kvMiB(b.model.Metadata(), size, kv), Sequences: n,
				Tokens: tokens, TokensPerSec: float64(tokens) / took.Seconds()})
		}
	}
	return nil
}

// generateOnce generates GenTokens in n sequences of c forked from one
// image prompt and returns the tokens made and the time it took.
func (b *benchRun) generateOnce(c *llama.Context, prompt string, n int) (int, time.Duration, error) {
	if err := c.Append(b.ctx, 0, llama.Prompt{Text: prompt, Images: []llama.Image{b.img}, AddSpecial: true}); err != nil {
		return 0, 0, err
	}
	reqs := make([]llama.GenerateRequest, n)
	for s := range n {
		if s > 0 {
			if err := c.CopySequence(0, s); err != nil {
				return 0, 0, err
			}
		}
		reqs[s] = llama.GenerateRequest{Seq: s, MaxTokens: b.o.GenTokens, IgnoreEnd: true}
	}
	start := time.Now()
	out, err := c.Generate(b.ctx, reqs)
	took := time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	tokens := 0
	for _, r := range out {
		tokens += len(r.Tokens)
	}
	return tokens, took, nil
}

// batches runs the batch figures and their baselines on generated images
// written as JPEG files.
func (b *benchRun) batches() error {
	dir, err := os.MkdirTemp("", "capgen-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var paths []string
	for i := range b.o.Images {
		p := filepath.Join(dir, fmt.Sprintf("img%03d.jpg", i))
		if err := writeJPEG(p, benchImage(b.width, b.height, uint64(i+2))); err != nil {
			return err
		}
		paths = append(paths, p)
	}
	eopt := &caption.Options{Threads: b.threads, ContextSize: b.o.ContextSize, MaxSide: b.o.MaxSide, MaxSequences: b.o.Parallel, NoCache: true}
	e, err := caption.New(b.model, b.proj, eopt)
	if err != nil {
		return err
	}
	defer e.Close()
	bb := &benchBatches{benchRun: b, e: e, dir: dir, paths: paths, one: b.langs[:1]}
	if err := bb.batchVsNaive(); err != nil {
		return err
	}
	if b.baselines["process"] {
		if err := bb.process(); err != nil {
			return err
		}
	}
	if b.baselines["languages"] && len(b.langs) > 1 {
		if err := bb.languages(); err != nil {
			return err
		}
	}
	if b.baselines["serve"] {
		if err := bb.serve(); err != nil {
			return err
		}
	}
	if b.baselines["ground"] {
		if err := bb.ground(); err != nil {
			return err
		}
	}
	if b.o.Leak > 0 {
		b.progress("leak check: %d images", b.o.Leak)
		lk, err := leakCheck(b.ctx, e, paths, b.o.Leak, b.o.MaxTokens)
		if err != nil {
			return err
		}
		b.rep.Leak = lk
	}
	return nil
}

// benchBatches are the figures on one engine and one set of images.
type benchBatches struct {
	*benchRun
	e     *caption.Engine
	dir   string
	paths []string
	one   []caption.Language
}

// describe captions one image file with Describe.
func (bb *benchBatches) describe(path string, ls []caption.Language) error {
	img, err := vision.Load(path, nil)
	if err != nil {
		return err
	}
	_, err = bb.e.Describe(bb.ctx, &caption.Request{Image: img, Languages: ls, OnMismatch: caption.MismatchKeep, Generation: caption.Generation{MaxTokens: bb.o.MaxTokens}})
	return err
}

// batchVsNaive runs the batch and the naive loop in the order batch,
// naive, naive, batch (ABBA), so that a machine that speeds up or slows
// down during the run (a warming cache, another job) favours neither;
// without the naive baseline the batch runs once.
func (bb *benchBatches) batchVsNaive() error {
	once := map[string]func() (time.Duration, error){
		"batch": func() (time.Duration, error) {
			sum, err := batch.Run(bb.ctx, bb.e, bb.paths, &batch.Options{
				// Every figure takes the first answer (MismatchKeep): the
				// random-weight presets write no language, and the
				// baselines must do the same work as the batch.
				Request: caption.Request{Languages: bb.one, Detail: caption.Brief, Strategy: caption.Direct, OnMismatch: caption.MismatchKeep,
					Generation: caption.Generation{MaxTokens: bb.o.MaxTokens}},
				Journal: filepath.Join(bb.dir, "journal.jsonl"), Existing: batch.Overwrite, Workers: 2,
			})
			if err != nil {
				return 0, err
			}
			if sum.Failed > 0 {
				return 0, fmt.Errorf("bench: %d of %d images failed in the batch run", sum.Failed, len(bb.paths))
			}
			return sum.Elapsed, nil
		},
		"naive": func() (time.Duration, error) {
			start := time.Now()
			for _, p := range bb.paths {
				if err := bb.describe(p, bb.one); err != nil {
					return 0, err
				}
			}
			return time.Since(start), nil
		},
	}
	order := []string{"batch"}
	if bb.baselines["naive"] {
		order = []string{"batch", "naive", "naive", "batch"}
	}
	total := map[string]time.Duration{}
	for i, what := range order {
		bb.progress("%s: %d images (%d of %d)", what, len(bb.paths), i+1, len(order))
		d, err := once[what]()
		if err != nil {
			return err
		}
		total[what] += d
	}
	runs := 0.0
	for _, what := range order {
		if what == "batch" {
			runs++
		}
	}
	n := float64(len(bb.paths))
	bb.rep.Batch = &benchBatch{Images: len(bb.paths), Languages: 1, Parallel: bb.e.MaxSequences(), ImagesPerSec: runs * n / total["batch"].Seconds()}
	if bb.baselines["naive"] {
		bb.rep.Batch.NaivePerSec = 2 * n / total["naive"].Seconds()
		bb.rep.Batch.VsNaive = bb.rep.Batch.ImagesPerSec / bb.rep.Batch.NaivePerSec
	}
	return nil
}

// process is the baseline of one capgen process per image (at most 4).
func (bb *benchBatches) process() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	n := min(len(bb.paths), 4)
	bb.progress("baseline process: %d images, one capgen process each", n)
	start := time.Now()
	for _, p := range bb.paths[:n] {
		args := []string{"describe", "--model", bb.o.Model, "--mmproj", bb.o.MMProj, "--lang", bb.one[0].Tag, "--max-tokens", strconv.Itoa(bb.o.MaxTokens),
			"--threads", strconv.Itoa(bb.threads), "--gpu-layers", strconv.Itoa(bb.o.GPULayers), "--max-side", strconv.Itoa(bb.o.MaxSide), "--strategy", "direct", "--on-mismatch", "keep", p}
		cmd := exec.CommandContext(bb.ctx, exe, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("bench: baseline process %s: %v: %s", filepath.Base(p), err, lastLine(string(out)))
		}
	}
	bt := bb.rep.Batch
	bt.ProcessImages = n
	bt.ProcessPerSec = float64(n) / time.Since(start).Seconds()
	bt.VsProcess = bt.ImagesPerSec / bt.ProcessPerSec
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		bt.ProcessPeakMiB = float64(ru.Maxrss) / 1024
	}
	return nil
}

// languages compares all languages in one call with one language and
// with one call per language.
func (bb *benchBatches) languages() error {
	bb.progress("baseline languages: %d languages", len(bb.langs))
	lf := &benchLanguages{}
	for _, l := range bb.langs {
		lf.Languages = append(lf.Languages, l.Tag)
	}
	p := bb.paths[0]
	timeIt := func(f func() error) (float64, error) {
		start := time.Now()
		err := f()
		return ms(time.Since(start)), err
	}
	var err error
	if lf.OneMS, err = timeIt(func() error { return bb.describe(p, bb.one) }); err != nil {
		return err
	}
	if lf.AllMS, err = timeIt(func() error { return bb.describe(p, bb.langs) }); err != nil {
		return err
	}
	if lf.SeparateMS, err = timeIt(func() error {
		for _, l := range bb.langs {
			if err := bb.describe(p, []caption.Language{l}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	lf.AllVsOne = lf.AllMS / lf.OneMS
	lf.SepVsAll = lf.SeparateMS / lf.AllMS
	bb.rep.Languages = lf
	return nil
}

// leakCheck captions n images (the given files, round and round) in
// batches and samples the process's RSS after each tenth.
func leakCheck(ctx context.Context, e *caption.Engine, paths []string, n, maxTokens int) (*benchLeak, error) {
	var imgs []*vision.Image
	for _, p := range paths {
		img, err := vision.Load(p, nil)
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
	}
	lk := &benchLeak{Images: n}
	group := max(1, e.MaxSequences()/2)
	next := max(1, n/10)
	for done := 0; done < n; {
		var reqs []*caption.Request
		for len(reqs) < group && done+len(reqs) < n {
			reqs = append(reqs, &caption.Request{Image: imgs[(done+len(reqs))%len(imgs)], OnMismatch: caption.MismatchKeep, Generation: caption.Generation{MaxTokens: maxTokens}})
		}
		_, errs := e.DescribeBatch(ctx, reqs)
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		done += len(reqs)
		if done >= next || done == n {
			runtime.GC()
			lk.RSSMiB = append(lk.RSSMiB, currentRSS())
			next += max(1, n/10)
		}
	}
	if len(lk.RSSMiB) >= 2 {
		lk.GrowthMiB = lk.RSSMiB[len(lk.RSSMiB)-1] - lk.RSSMiB[1]
	}
	return lk, nil
}

func (r *benchReport) table(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "machine   %d CPUs, %d threads, %s/%s, %s, GPU offload %v\n", m.CPUs, m.Threads, m.GOOS, m.GOARCH, m.GoVersion, m.GPUOffload)
	fmt.Fprintf(w, "build     llama.cpp %s, backend %s\n          %s\n", m.LlamaCpp, m.Backend, m.System)
	for _, d := range m.Devices {
		fmt.Fprintf(w, "device    %s (%s) %s, %.0f MiB free of %.0f\n", d.Name, d.Kind, d.Description, d.FreeMiB, d.TotalMiB)
	}
	md := r.Model
	fmt.Fprintf(w, "model     %s (%s, %.1fM parameters, %.0f MiB), projector %s, on GPU %v, loaded in %.0f ms\n",
		filepath.Base(md.Model), md.Description, float64(md.Parameters)/1e6, md.SizeMiB, md.Projector, md.OnGPU, md.LoadMS)
	fmt.Fprintln(w)
	e := r.Encode
	fmt.Fprintf(w, "image encode      %8.1f ms  (%dx%d, %d encoder pass(es), %d tokens; + %.1f ms into the KV cache)\n", e.EncodeMS, e.Width, e.Height, e.Slices, e.ImageTokens, e.EmbedDecodeMS)
	fmt.Fprintf(w, "prefill           %8.1f tokens/s  (%d tokens)\n", r.Prefill.TokensPerSec, r.Prefill.Tokens)
	for _, g := range r.Generate {
		fmt.Fprintf(w, "generate %-4s x%-3d %7.1f tokens/s  (KV cache %.0f MiB)\n", g.KVCache, g.Sequences, g.TokensPerSec, g.KVMiB)
	}
	if b := r.Batch; b != nil {
		fmt.Fprintf(w, "batch             %8.3f images/s  (%d images, up to %d sequences)\n", b.ImagesPerSec, b.Images, b.Parallel)
		if b.NaivePerSec > 0 {
			fmt.Fprintf(w, "  naive           %8.3f images/s  batch is %.2fx\n", b.NaivePerSec, b.VsNaive)
		}
		if b.ProcessPerSec > 0 {
			fmt.Fprintf(w, "  process/image   %8.3f images/s  batch is %.2fx  (%d images, child peak RSS %.0f MiB)\n", b.ProcessPerSec, b.VsProcess, b.ProcessImages, b.ProcessPeakMiB)
		}
	}
	if l := r.Languages; l != nil {
		fmt.Fprintf(w, "languages         1: %.0f ms, %d on one encode: %.0f ms (%.2fx one), %d separate calls: %.0f ms (%.2fx)\n",
			l.OneMS, len(l.Languages), l.AllMS, l.AllVsOne, len(l.Languages), l.SeparateMS, l.SepVsAll)
	}
	if r.Serve != nil {
		r.Serve.table(w)
	}
	if r.Ground != nil {
		r.Ground.table(w)
	}
	fmt.Fprintf(w, "memory            peak RSS %.0f MiB", r.Memory.PeakRSSMiB)
	for i, g := range r.Memory.GPUUsedMiB {
		fmt.Fprintf(w, ", GPU %d used %.0f MiB", i, g)
	}
	fmt.Fprintln(w)
	if l := r.Leak; l != nil {
		fmt.Fprintf(w, "leak check        %d images, RSS %s MiB, growth after warm-up %+.1f MiB\n", l.Images, joinFloats(l.RSSMiB), l.GrowthMiB)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note              %s\n", n)
	}
}

// writePreset writes a synthetic pair into the model cache once.
func writePreset(name string, errw io.Writer) (model, mmproj string, err error) {
	p, err := synth.Preset(name)
	if err != nil {
		return "", "", usagef("--preset %q: known presets are %s", name, strings.Join(synth.PresetNames(), ", "))
	}
	opt := &synth.WriteOptions{Type: gguf.Q8_0, VisionType: gguf.F16}
	dir := filepath.Join(models.CacheDir(), "synth")
	m, mm := synth.FileNames(&p, opt)
	model, mmproj = filepath.Join(dir, m), filepath.Join(dir, mm)
	if _, err := os.Stat(mmproj); err == nil {
		return model, mmproj, nil
	}
	fmt.Fprintf(errw, "bench: writing the random-weight %s pair into %s\n", name, dir)
	if _, _, err := synth.Write(dir, p, opt); err != nil {
		return "", "", err
	}
	return model, mmproj, nil
}

// benchImage is a toy scene: shapes on a background, different per seed.
func benchImage(w, h int, seed uint64) *vision.Image {
	rng := toyscene.NewRand(seed)
	sc := toyscene.Random(rng, &toyscene.RandomOptions{Rows: 3, Cols: 3})
	return vision.FromImage(toyscene.Render(sc, w, h, rng, nil), nil)
}

func writeJPEG(path string, img *vision.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// benchPrompt is a one-turn chat asking instruction about an image.
func benchPrompt(m *llama.Model, instruction string) (string, error) {
	return m.ApplyChatTemplate("", []llama.Message{{Role: "user", Content: llama.MediaMarker() + instruction}}, true)
}

// kvMiB is the size of a context's KV cache: cells x layers x (K + V
// widths) x bytes per element.
func kvMiB(md llama.Metadata, cells int, t llama.KVCacheType) float64 {
	headDim := md.EmbeddingSize / max(md.Heads, 1)
	width := float64(2 * md.HeadsKV * headDim)
	per := map[llama.KVCacheType]float64{"f16": 2, "q8_0": 34.0 / 32, "q4_0": 18.0 / 32}[t]
	return float64(cells) * float64(md.Layers) * width * per / (1 << 20)
}

func parseSize(s string) (w, h int, err error) {
	a, b, ok := strings.Cut(s, "x")
	w, err1 := strconv.Atoi(a)
	h, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || w < 16 || h < 16 || w > 8192 || h > 8192 {
		return 0, 0, usagef("--size %q: use WxH, each 16 to 8192", s)
	}
	return w, h, nil
}

func parseInts(flag, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, usagef("%s: %q is not a positive number", flag, f)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
func mib(b uint64) float64       { return float64(b) / (1 << 20) }

// peakRSS is the process's peak resident memory in MiB.
func peakRSS() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // KiB on Linux
}

// currentRSS is the process's resident memory in MiB (Linux; 0 elsewhere).
func currentRSS() float64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseFloat(f[1], 64)
	return pages * float64(os.Getpagesize()) / (1 << 20)
}

func joinFloats(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strings.Join(s, " ")
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
