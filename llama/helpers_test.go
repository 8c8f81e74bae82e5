package llama

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/capgen/capgen/internal/testmodels"
)

type pairFiles struct{ model, mmproj string }

var families = testmodels.Families

func TestMain(m *testing.M) {
	code := m.Run()
	testmodels.Cleanup()
	os.Exit(code)
}

// tinyPair returns the files of a tiny preset, writing them on first use.
func tinyPair(t testing.TB, preset string) pairFiles {
	t.Helper()
	p := testmodels.Tiny(t, preset)
	return pairFiles{p.Model, p.MMProj}
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
