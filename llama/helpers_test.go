package llama

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/capgen/capgen/models/synth"
)

// The tiny random-weight pairs of every family, written once per test
// binary into a temporary folder.
var (
	modelsOnce sync.Once
	modelsDir  string
	modelsErr  error
)

type pairFiles struct{ model, mmproj string }

var families = []string{"tiny-llava", "tiny-smolvlm", "tiny-qwen25vl", "tiny-gemma3"}

func TestMain(m *testing.M) {
	code := m.Run()
	if modelsDir != "" {
		os.RemoveAll(modelsDir)
	}
	os.Exit(code)
}

// tinyPair returns the files of a tiny preset, writing them on first use.
func tinyPair(t testing.TB, preset string) pairFiles {
	t.Helper()
	modelsOnce.Do(func() {
		modelsDir, modelsErr = os.MkdirTemp("", "capgen-llama-test-")
		if modelsErr != nil {
			return
		}
		for _, name := range families {
			p, err := synth.Preset(name)
			if err != nil {
				modelsErr = err
				return
			}
			dir := filepath.Join(modelsDir, name)
			if _, _, err := synth.Write(dir, p, &synth.WriteOptions{Seed: 7}); err != nil {
				modelsErr = fmt.Errorf("writing %s: %w", name, err)
				return
			}
		}
	})
	if modelsErr != nil {
		t.Fatal(modelsErr)
	}
	p, err := synth.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	m, mm := synth.FileNames(&p, nil)
	dir := filepath.Join(modelsDir, preset)
	return pairFiles{filepath.Join(dir, m), filepath.Join(dir, mm)}
}

// loaded is a model with its projector, closed at the end of the test.
type loaded struct {
	model *Model
	proj  *Projector
}

func loadPair(t testing.TB, preset string) loaded {
	t.Helper()
	f := tinyPair(t, preset)
	m, err := LoadModel(context.Background(), f.model, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	pr, err := LoadProjector(m, f.mmproj, &ProjectorOptions{NoWarmup: true, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pr.Close() })
	return loaded{m, pr}
}

func newContext(t testing.TB, l loaded, opt ContextOptions) *Context {
	t.Helper()
	if opt.Projector == nil {
		opt.Projector = l.proj
	}
	// One thread: tiny models gain nothing from more, and ggml's spinning
	// thread barrier slows to a crawl when the machine is busy.
	if opt.Threads == 0 {
		opt.Threads = 1
	}
	c, err := NewContext(l.model, &opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testImage is a deterministic image with structure (gradients and blocks)
// so that different images give different embeddings.
func testImage(w, h int, seed uint64) Image {
	r := rand.New(rand.NewPCG(seed, 1))
	pix := make([]byte, w*h*3)
	bx, by := r.IntN(w), r.IntN(h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := 3 * (y*w + x)
			pix[i] = byte(255 * x / w)
			pix[i+1] = byte(255 * y / h)
			pix[i+2] = byte(r.IntN(64))
			if x > bx && y > by {
				pix[i] = 250
			}
		}
	}
	return Image{RGB: pix, Width: w, Height: h}
}

// userPrompt wraps an instruction with one image in the model's template.
func userPrompt(t testing.TB, m *Model, instruction string) string {
	t.Helper()
	s, err := m.ApplyChatTemplate("", []Message{{Role: "user", Content: MediaMarker() + instruction}}, true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
