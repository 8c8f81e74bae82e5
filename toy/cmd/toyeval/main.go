// Command toyeval measures the toy model through capgen's own pipeline and
// writes its manifest.
//
//	go run ./toy/cmd/toyeval -model testdata/toy -n 200 \
//	    -weights build/toy/weights -write
//
// For every language it renders n fresh scenes, n single objects and n
// cell crops from seeds far from the training data's, encodes each as PNG,
// decodes it with package vision and captions it with llama.cpp (toy.Captioner,
// the prompts capgen sends), and reports exact match per language and kind
// and the fraction of objects named right. With -weights it also runs the
// logits check against the PyTorch outputs that train.py saved
// (check.json) and takes the training record from train.json; -write
// updates the manifest in the model folder.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/toy/scene"
	"github.com/capgen/capgen/vision"
)

// EvalSeed is the first seed of the held-out samples: training uses seeds
// from 1 up to its sample count.
const EvalSeed = 1 << 40

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "toyeval:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("toyeval", flag.ContinueOnError)
	dir := fs.String("model", "testdata/toy", "folder with the model files and manifest")
	n := fs.Int("n", 200, "samples per language and kind")
	weights := fs.String("weights", "", "train.py output folder: run the logits check and record the training")
	write := fs.Bool("write", false, "write the results into the manifest")
	workers := fs.Int("workers", 2, "captioners run in parallel")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	m := &toy.Manifest{}
	if old, err := toy.LoadManifest(*dir); err == nil {
		m = old
	}
	m.Model, m.MMProj = toy.FileNames()
	m.Languages = toy.Languages()
	m.RegionWords = toy.RegionWords
	if *weights != "" {
		h, err := toy.TemplatesHash()
		if err != nil {
			return err
		}
		m.TemplatesHash = h
		if err := readTraining(filepath.Join(*weights, "train.json"), m); err != nil {
			return err
		}
		c, err := check(ctx, *dir, filepath.Join(*weights, "check.json"))
		if err != nil {
			return err
		}
		m.Check = c
		fmt.Printf("logits check: image embeddings max |diff| %.2g (largest |value| %.3g, tolerance %.2g); greedy tokens equal in %d/%d languages\n",
			c.EmbeddingMaxAbsDiff, c.EmbeddingMaxAbs, c.Tolerance, c.GreedyEqual, c.Languages)
		if c.EmbeddingMaxAbsDiff > c.Tolerance || c.GreedyEqual != c.Languages {
			return errors.New("logits check failed: PyTorch and llama.cpp disagree")
		}
	}
	start := time.Now()
	acc, err := evaluate(ctx, *dir, *n, *workers)
	if err != nil {
		return err
	}
	m.Accuracy = acc
	fmt.Printf("%-4s %8s %8s %8s %8s  (exact match, n=%d each; objects named right in scenes)\n", "lang", "scene", "object", "cell", "sc-objs", *n)
	for _, l := range toy.Languages() {
		s := acc.PerLanguage[l]
		fmt.Printf("%-4s %8.3f %8.3f %8.3f %8.3f\n", l, s["scene"].Exact, s["object"].Exact, s["cell"].Exact, s["scene"].Objects)
	}
	fmt.Printf("evaluated in %v\n", time.Since(start).Round(time.Second))
	if *write {
		return m.Save(*dir)
	}
	return nil
}

type job struct {
	lang string
	kind toy.Kind
	seed uint64
}

type result struct {
	job
	exact          bool
	right, objects int
}

func evaluate(ctx context.Context, dir string, n, workers int) (*toy.Accuracy, error) {
	var jobs []job
	kinds := []toy.Kind{toy.KindScene, toy.KindObject, toy.KindCell}
	for li, l := range toy.Languages() {
		for ki, k := range kinds {
			for i := 0; i < n; i++ {
				jobs = append(jobs, job{l, k, EvalSeed + uint64(li)<<24 + uint64(ki)<<20 + uint64(i)})
			}
		}
	}
	results := make([]result, len(jobs))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := toy.Open(ctx, dir, nil)
			if err == nil {
				defer c.Close()
				for i := w; i < len(jobs) && err == nil; i += workers {
					results[i], err = evalOne(ctx, c, jobs[i])
				}
			}
			if err != nil {
				mu.Lock()
				first = errors.Join(first, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	acc := &toy.Accuracy{
		Method:      "exact match of the greedy caption through vision.DecodeBytes (PNG) and llama.cpp (toy.Captioner), fresh seeds from 2^40",
		PerLanguage: map[string]map[string]toy.Score{},
	}
	for _, l := range toy.Languages() {
		acc.PerLanguage[l] = map[string]toy.Score{}
		for _, k := range kinds {
			var s toy.Score
			var right, objs int
			for _, r := range results {
				if r.lang == l && r.kind == k {
					s.N++
					if r.exact {
						s.Exact++
					}
					right += r.right
					objs += r.objects
				}
			}
			s.Exact = round(s.Exact / float64(s.N))
			if objs > 0 { // object and cell captions name no places: Parse finds no items
				s.Objects = round(float64(right) / float64(objs))
			}
			acc.PerLanguage[l][k.String()] = s
		}
	}
	return acc, nil
}

func round(f float64) float64 { return math.Round(f*1e4) / 1e4 }

func evalOne(ctx context.Context, c *toy.Captioner, j job) (result, error) {
	r := result{job: j}
	s, err := toy.NewSample(j.seed, j.kind, 0)
	if err != nil {
		return r, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, s.Image); err != nil {
		return r, err
	}
	img, err := vision.DecodeBytes(buf.Bytes(), nil)
	if err != nil {
		return r, err
	}
	want, err := s.Caption(j.lang)
	if err != nil {
		return r, err
	}
	got, _, err := c.Caption(ctx, img, j.lang, j.kind.Mode())
	if err != nil {
		return r, err
	}
	r.exact = got == want
	wantItems, _ := scene.Parse(want, j.lang)
	gotItems, _ := scene.Parse(got, j.lang)
	r.objects = len(wantItems)
	for _, it := range wantItems {
		if slices.Contains(gotItems, it) {
			r.right++
		}
	}
	return r, nil
}

// trainRecord is the part of train.py's train.json the manifest keeps.
type trainRecord struct {
	Seed       int     `json:"seed"`
	Steps      int     `json:"steps"`
	Batch      int     `json:"batch"`
	LR         float64 `json:"lr"`
	Minutes    float64 `json:"train_minutes"`
	Parameters int     `json:"parameters"`
	Samples    int     `json:"samples"`
	FinalLoss  float64 `json:"final_loss"`
	Vision     *struct {
		Steps    int                `json:"steps"`
		Batch    int                `json:"batch"`
		LR       float64            `json:"lr"`
		Minutes  float64            `json:"minutes"`
		Accuracy map[string]float64 `json:"held_out_accuracy"`
	} `json:"vision_stage"`
}

func readTraining(path string, m *toy.Manifest) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var t trainRecord
	if err := json.Unmarshal(b, &t); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	m.Training = toy.Training{
		Seed: t.Seed, Steps: t.Steps, Batch: t.Batch, LR: t.LR, Minutes: t.Minutes,
		Parameters: t.Parameters, FinalLoss: t.FinalLoss,
		Data: fmt.Sprintf("%d samples from cmd/toydata -seed 1 (seeds 1..%d): half 2x2 scenes (brief prompt), "+
			"a fifth single objects and three tenths cell crops (region prompt), sizes 96-960 px on the long side, "+
			"aspect up to 3:2 either way, a quarter JPEG round-tripped; each step draws a random language per sample", t.Samples, t.Samples),
		Architecture: "CLIP ViT 96 px / 48 px patches (a quadrant each), width 96, 4 blocks (3 run), MLP 512, mlp projector 96-128-128, " +
			"matrices F16; llama decoder width 128, 4 layers, 4 heads, SwiGLU 384, F32",
	}
	if v := t.Vision; v != nil {
		m.Training.Vision = &toy.VisionStage{Steps: v.Steps, Batch: v.Batch, LR: v.LR, Minutes: v.Minutes, HeldOut: v.Accuracy}
	}
	return nil
}

// checkFile is train.py's check.json.
type checkFile struct {
	Sample          int       `json:"sample"`
	Seed            uint64    `json:"seed"`
	JPEG            float64   `json:"jpeg"`
	ImageEmbeddings []float32 `json:"image_embeddings"`
	Langs           map[string]struct {
		Prompt    []int32 `json:"prompt"`
		Greedy    []int32 `json:"greedy"`
		MinMargin float64 `json:"min_margin"`
	} `json:"langs"`
}

// captureCache records the image embeddings llama.cpp computes.
type captureCache struct {
	mu   sync.Mutex
	embd []float32
}

func (c *captureCache) Get(string) ([]float32, bool) { return nil, false }
func (c *captureCache) Put(_ string, e []float32) {
	c.mu.Lock()
	c.embd = slices.Clone(e)
	c.mu.Unlock()
}

// check runs the fixed input of train.py's check through llama.cpp:
// training sample 0 rendered again from its seed, given to llama.cpp as
// RGB (so clip.cpp's own preprocessing runs), in every language.
func check(ctx context.Context, dir, path string) (*toy.Check, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cf checkFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, err := toy.NewSample(cf.Seed+uint64(cf.Sample), toy.DataKind(cf.Sample), cf.JPEG)
	if err != nil {
		return nil, err
	}
	cache := &captureCache{}
	c, err := toy.Open(ctx, dir, &toy.Options{Cache: cache})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	res := &toy.Check{
		Input: fmt.Sprintf("training sample %d (seed %d, %s) in each language", cf.Sample, cf.Seed+uint64(cf.Sample), s.Kind),
		Note: "package llama has no logits accessor: the projector output is compared numerically " +
			"(captured through llama.ContextOptions.Cache) and the decoder by greedy token sequences",
	}
	for _, lang := range toy.Languages() {
		want, ok := cf.Langs[lang]
		if !ok {
			return nil, fmt.Errorf("check.json lacks language %s", lang)
		}
		before, after, err := toy.PromptTokens(c.Model, lang, s.Kind.Mode())
		if err != nil {
			return nil, err
		}
		nImg := len(want.Prompt) - len(before) - len(after)
		if nImg <= 0 || !slices.Equal(toInt32(before), want.Prompt[:len(before)]) || !slices.Equal(toInt32(after), want.Prompt[len(want.Prompt)-len(after):]) {
			return nil, fmt.Errorf("%s: prompt tokens differ between training data and llama.cpp", lang)
		}
		_, got, err := c.Caption(ctx, s.Image, lang, s.Kind.Mode())
		if err != nil {
			return nil, err
		}
		g := want.Greedy
		if n := len(g); n > 0 && c.Model.IsEndOfGeneration(llama.Token(g[n-1])) {
			g = g[:n-1]
		}
		if slices.Equal(toInt32(got), g) {
			res.GreedyEqual++
		} else {
			fmt.Printf("check %s: greedy differs: llama.cpp %v, PyTorch %v (smallest top-2 margin %.3f)\n", lang, got, g, want.MinMargin)
		}
		res.Languages++
	}
	cache.mu.Lock()
	got := cache.embd
	cache.mu.Unlock()
	if len(got) != len(cf.ImageEmbeddings) {
		return nil, fmt.Errorf("llama.cpp gave %d embedding values, PyTorch %d", len(got), len(cf.ImageEmbeddings))
	}
	for i, v := range cf.ImageEmbeddings {
		res.EmbeddingMaxAbsDiff = max(res.EmbeddingMaxAbsDiff, math.Abs(float64(v-got[i])))
		res.EmbeddingMaxAbs = max(res.EmbeddingMaxAbs, math.Abs(float64(v)))
	}
	// The projector's matrices are F16 in the file (and rounded so in
	// PyTorch), but ggml's CPU kernels also round the activations to F16
	// before each F16 matrix product, which PyTorch does not: 1% of the
	// largest value, where an F32 projector agreed to 0.1%.
	res.Tolerance = 1e-2 * max(1, res.EmbeddingMaxAbs)
	return res, nil
}

func toInt32(t []llama.Token) []int32 {
	out := make([]int32, len(t))
	for i, v := range t {
		out[i] = int32(v)
	}
	return out
}
