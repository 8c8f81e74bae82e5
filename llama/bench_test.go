package llama

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/capgen/capgen/internal/testmodels"
)

// The benchmarks run on a random-weight model with the exact shapes of
// SmolVLM-256M-Instruct (text Q8_0, projector F16), written once into
// build/models (or $CAPGEN_BENCH_DIR).
var (
	benchOnce sync.Once
	benchPair loaded
	benchErr  error
)

func benchThreads() int {
	if n := testmodels.BenchThreads(); n > 0 {
		return n
	}
	return DefaultThreads()
}

func benchModel(b *testing.B) loaded {
	b.Helper()
	benchOnce.Do(func() {
		f := testmodels.SmolVLM256M(b)
		model, err := LoadModel(context.Background(), f.Model, nil)
		if err != nil {
			benchErr = err
			return
		}
		proj, err := LoadProjector(model, f.MMProj, &ProjectorOptions{Threads: benchThreads()})
		if err != nil {
			benchErr = err
			return
		}
		benchPair = loaded{model, proj}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchPair
}

// BenchmarkGenerate reports generated tokens per second with 1, 4 and 16
// sequences decoded together. The image prefix is evaluated once into
// sequence 0 and forked to the generating sequences for every round.
func BenchmarkGenerate(b *testing.B) {
	l := benchModel(b)
	const perSeq = 32
	for _, n := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("seqs=%d", n), func(b *testing.B) {
			c, err := NewContext(l.model, &ContextOptions{ContextSize: 8192, MaxSequences: n + 1, Projector: l.proj, Threads: benchThreads()})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			ctx := context.Background()
			prompt := Prompt{Text: benchPrompt(b, l.model), Images: []Image{testImage(256, 256, 1)}, AddSpecial: true}
			if err := c.Append(ctx, 0, prompt); err != nil {
				b.Fatal(err)
			}
			var gen time.Duration
			tokens := 0
			b.ResetTimer()
			for range b.N {
				reqs := make([]GenerateRequest, n)
				for s := 1; s <= n; s++ {
					if err := c.CopySequence(0, s); err != nil {
						b.Fatal(err)
					}
					reqs[s-1] = GenerateRequest{Seq: s, MaxTokens: perSeq}
				}
				start := time.Now()
				out, err := c.Generate(ctx, reqs)
				if err != nil {
					b.Fatal(err)
				}
				gen += time.Since(start)
				for _, o := range out {
					tokens += len(o.Tokens)
				}
				for s := 1; s <= n; s++ {
					if err := c.RemoveSequence(s); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(tokens)/gen.Seconds(), "tok/s")
		})
	}
}

func benchPrompt(b *testing.B, m *Model) string {
	s, err := m.ApplyChatTemplate("", []Message{{Role: "user", Content: MediaMarker() + "Describe this image in one sentence."}}, true)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkImageEncode reports the time of one 256x256 image through the
// vision encoder and projector (SmolVLM cuts it into slices of 512 px; the
// slices metric says how many).
func BenchmarkImageEncode(b *testing.B) {
	l := benchModel(b)
	c, err := NewContext(l.model, &ContextOptions{ContextSize: 4096, Projector: l.proj, Threads: benchThreads()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	prompt := Prompt{Text: benchPrompt(b, l.model), Images: []Image{testImage(256, 256, 2)}, AddSpecial: true}
	b.ResetTimer()
	for range b.N {
		if err := c.Clear(); err != nil {
			b.Fatal(err)
		}
		if err := c.Append(ctx, 0, prompt); err != nil {
			b.Fatal(err)
		}
	}
	st := c.Stats()
	b.ReportMetric(float64(st.ImageEncodeTime.Milliseconds())/float64(b.N), "encode-ms")
	b.ReportMetric(float64(st.ImageEncodes)/float64(b.N), "slices")
	b.ReportMetric(float64(st.ImageTokens)/float64(b.N), "image-tokens")
}

// BenchmarkBindingOverhead compares Go's Append+Generate with a plain C
// loop over the same libraries (reference.c), interleaved in one run: the
// go/c metric is the ratio of time per generated token.
func BenchmarkBindingOverhead(b *testing.B) {
	l := benchModel(b)
	c, err := NewContext(l.model, &ContextOptions{ContextSize: 2048, Threads: benchThreads()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	text := "Describe a sunny beach with a red umbrella, two chairs and a dog."
	toks, err := l.model.Tokenize(text, TokenizeOptions{AddSpecial: true})
	if err != nil {
		b.Fatal(err)
	}
	const nGen = 64
	var goTime, cTime time.Duration
	goTokens, cTokens := 0, 0
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		n, err := c.referenceGreedy(toks, nGen, 0)
		if err != nil {
			b.Fatal(err)
		}
		cTime += time.Since(start)
		cTokens += n

		start = time.Now()
		if err := c.AppendTokens(0, toks); err != nil {
			b.Fatal(err)
		}
		out, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: nGen}})
		if err != nil {
			b.Fatal(err)
		}
		goTime += time.Since(start)
		goTokens += len(out[0].Tokens)
		if err := c.RemoveSequence(0); err != nil {
			b.Fatal(err)
		}
	}
	perGo := goTime.Seconds() / float64(goTokens)
	perC := cTime.Seconds() / float64(cTokens)
	b.ReportMetric(perGo/perC, "go/c")
	b.ReportMetric(1/perGo, "go-tok/s")
	b.ReportMetric(1/perC, "c-tok/s")
}

// BenchmarkThreadPool compares ggml's busy-waiting thread pool
// (ContextOptions.Spin) with capgen's default of sleeping threads at
// DefaultThreads() threads, and one thread, on text-only generation. Run it
// on an idle machine and next to a busy process to see both sides.
func BenchmarkThreadPool(b *testing.B) {
	l := benchModel(b)
	for _, v := range []struct {
		threads int
		spin    bool
	}{{DefaultThreads(), true}, {DefaultThreads(), false}, {1, false}} {
		b.Run(fmt.Sprintf("threads=%d/spin=%v", v.threads, v.spin), func(b *testing.B) {
			c, err := NewContext(l.model, &ContextOptions{ContextSize: 1024, Spin: v.spin, Threads: v.threads})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			ctx := context.Background()
			toks, err := l.model.Tokenize("Describe a sunny beach with a red umbrella.", TokenizeOptions{AddSpecial: true})
			if err != nil {
				b.Fatal(err)
			}
			var gen time.Duration
			n := 0
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if err := c.AppendTokens(0, toks); err != nil {
					b.Fatal(err)
				}
				out, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: 32}})
				if err != nil {
					b.Fatal(err)
				}
				gen += time.Since(start)
				n += len(out[0].Tokens)
				if err := c.RemoveSequence(0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/gen.Seconds(), "tok/s")
		})
	}
}
