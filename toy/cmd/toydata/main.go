// Command toydata renders the toy model's training data and tokenizes it
// with llama.cpp, for train/train.py.
//
//	go run ./toy/cmd/toydata -o build/toy/data -n 30000 -seed 1
//
// It writes into the output folder:
//
//	vocab.gguf   the toy vocabulary in a text model with random weights (the tokenizer)
//	meta.json    model shapes, prompt tokens per language and mode, sample count
//	images.u8    n images of S x S x 3 bytes: clip.cpp's preprocessing already applied
//	kinds.u8     n bytes: 0 scene (brief prompt), 1 object, 2 cell crop (region prompt)
//	answers.i32  answer tokens of every sample and language, little-endian int32
//	offsets.i32  n*L+1 offsets into answers.i32, sample-major, languages in meta order
//
// Sample i is toy.NewSample(seed+i, ...), so the data is reproducible;
// toyeval draws its held-out scenes from seeds far from the training range.
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/capgen/capgen/internal/synth"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/toy/scene"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "toydata:", err)
		os.Exit(1)
	}
}

// Meta is meta.json.
type Meta struct {
	Seed      uint64   `json:"seed"`
	N         int      `json:"n"`
	Langs     []string `json:"langs"`
	Modes     []string `json:"modes"`
	Kinds     []string `json:"kinds"`
	VocabSize int      `json:"vocab_size"`
	Config    Config   `json:"config"`
	// Before and After are the prompt tokens around the image, by mode
	// then language.
	Before map[string]map[string][]int32 `json:"before"`
	After  map[string]map[string][]int32 `json:"after"`
	PAD    int32                         `json:"pad"`
	// JPEG is the chance of a JPEG round trip per sample.
	JPEG float64 `json:"jpeg"`
	// Places are the cells of the toy grid with the English answer of a
	// scene holding one red circle there: train.py finds the place words
	// in it and learns which part of the image each place is.
	Places []Place `json:"places"`
}

// Place is one cell of the toy grid.
type Place struct {
	Row    int     `json:"row"`
	Col    int     `json:"col"`
	Rows   int     `json:"rows"`
	Answer []int32 `json:"answer"`
}

// Config is what train.py needs of toy.Pair.
type Config struct {
	ImageSize int        `json:"image_size"`
	PatchSize int        `json:"patch_size"`
	VWidth    int        `json:"v_width"`
	VFF       int        `json:"v_ff"`
	VLayers   int        `json:"v_layers"`
	VHeads    int        `json:"v_heads"`
	VEps      float32    `json:"v_eps"`
	Mean      [3]float32 `json:"mean"`
	Std       [3]float32 `json:"std"`
	MLPHidden int        `json:"mlp_hidden"`
	Width     int        `json:"width"`
	Layers    int        `json:"layers"`
	FF        int        `json:"ff"`
	Heads     int        `json:"heads"`
	KVHeads   int        `json:"kv_heads"`
	Eps       float32    `json:"eps"`
	RopeBase  float32    `json:"rope_base"`
	VocabSize int        `json:"vocab_size"`
}

// ConfigOf extracts the training configuration of a pair.
func ConfigOf(p synth.Pair) Config {
	v, t := p.Vision, p.Text
	return Config{
		ImageSize: v.ImageSize, PatchSize: v.PatchSize, VWidth: v.EmbeddingLength, VFF: v.FeedForwardLength,
		VLayers: v.BlockCount, VHeads: v.HeadCount, VEps: v.LayerNormEps, Mean: v.ImageMean, Std: v.ImageStd,
		MLPHidden: v.MLPHidden, Width: t.EmbeddingLength, Layers: t.BlockCount, FF: t.FeedForwardLength,
		Heads: t.HeadCount, KVHeads: t.HeadCountKV, Eps: t.RMSNormEps, RopeBase: t.RopeFreqBase,
		VocabSize: len(t.Vocab.Tokens),
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("toydata", flag.ContinueOnError)
	out := fs.String("o", "build/toy/data", "output folder")
	n := fs.Int("n", 30000, "number of samples")
	seed := fs.Uint64("seed", 1, "seed of the first sample")
	jpegChance := fs.Float64("jpeg", 0.25, "chance of a JPEG round trip per sample")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	v, err := toy.Vocab()
	if err != nil {
		return err
	}
	pair := toy.Pair(v)
	vocabPath := filepath.Join(*out, "vocab.gguf")
	if err := synth.WriteText(vocabPath, pair.Text, nil); err != nil {
		return err
	}
	ctx := context.Background()
	model, err := llama.LoadModel(ctx, vocabPath, &llama.ModelOptions{GPULayers: -1})
	if err != nil {
		return err
	}
	defer model.Close()

	meta := Meta{Seed: *seed, N: *n, Langs: toy.Languages(), VocabSize: len(v.Tokens), Config: ConfigOf(pair),
		Before: map[string]map[string][]int32{}, After: map[string]map[string][]int32{}, PAD: int32(v.ID("<unk>")), JPEG: *jpegChance}
	for _, k := range []toy.Kind{toy.KindScene, toy.KindObject, toy.KindCell} {
		meta.Kinds = append(meta.Kinds, k.String())
	}
	for _, mode := range toy.Modes() {
		meta.Modes = append(meta.Modes, string(mode))
		meta.Before[string(mode)] = map[string][]int32{}
		meta.After[string(mode)] = map[string][]int32{}
		for _, lang := range meta.Langs {
			b, a, err := toy.PromptTokens(model, lang, mode)
			if err != nil {
				return err
			}
			meta.Before[string(mode)][lang] = ids(b)
			meta.After[string(mode)][lang] = ids(a)
		}
	}

	for r := range toy.Grid {
		for c := range toy.Grid {
			sc := scene.Scene{Rows: toy.Grid, Cols: toy.Grid, Cells: make([]scene.Cell, toy.Grid*toy.Grid)}
			sc.Cells[r*toy.Grid+c] = scene.Cell{Filled: true, Shape: scene.Circle, Colour: scene.Red}
			text, err := scene.Caption(sc, "en")
			if err != nil {
				return err
			}
			toks, err := toy.AnswerTokens(model, text)
			if err != nil {
				return err
			}
			meta.Places = append(meta.Places, Place{Row: r, Col: c, Rows: toy.Grid, Answer: ids(toks)})
		}
	}

	size := pair.Vision.ImageSize
	imgs := make([]byte, *n*size*size*3)
	kinds := make([]byte, *n)
	answers := make([][]int32, *n*len(meta.Langs))
	var (
		mu    sync.Mutex
		cache = map[string][]int32{}
		first error
		wg    sync.WaitGroup
	)
	tokens := func(text string) ([]int32, error) {
		mu.Lock()
		t, ok := cache[text]
		mu.Unlock()
		if ok {
			return t, nil
		}
		toks, err := toy.AnswerTokens(model, text)
		if err != nil {
			return nil, err
		}
		t = ids(toks)
		mu.Lock()
		cache[text] = t
		mu.Unlock()
		return t, nil
	}
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < *n; i += workers {
				kind := toy.DataKind(i)
				s, err := toy.NewSample(*seed+uint64(i), kind, *jpegChance)
				if err == nil {
					rgb := s.Image.RGB()
					copy(imgs[i*size*size*3:], toy.Preprocess(rgb.Pix, rgb.Width, rgb.Height, size))
					kinds[i] = byte(kind)
					for j, lang := range meta.Langs {
						var c string
						if c, err = s.Caption(lang); err != nil {
							break
						}
						if answers[i*len(meta.Langs)+j], err = tokens(c); err != nil {
							break
						}
					}
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("sample %d: %w", i, err)
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	offsets := make([]int32, 0, len(answers)+1)
	var flat []int32
	for _, a := range answers {
		offsets = append(offsets, int32(len(flat)))
		flat = append(flat, a...)
	}
	offsets = append(offsets, int32(len(flat)))
	for name, data := range map[string]any{"images.u8": imgs, "kinds.u8": kinds, "answers.i32": flat, "offsets.i32": offsets} {
		if err := writeBinary(filepath.Join(*out, name), data); err != nil {
			return err
		}
	}
	js, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	fmt.Printf("toydata: %d samples, vocabulary %d, %d answer tokens, longest %d\n", *n, len(v.Tokens), len(flat), longest(answers))
	return os.WriteFile(filepath.Join(*out, "meta.json"), js, 0o644)
}

func ids(t []llama.Token) []int32 {
	out := make([]int32, len(t))
	for i, v := range t {
		out[i] = int32(v)
	}
	return out
}

func longest(a [][]int32) int {
	m := 0
	for _, x := range a {
		m = max(m, len(x))
	}
	return m
}

func writeBinary(path string, data any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := binary.Write(f, binary.LittleEndian, data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
