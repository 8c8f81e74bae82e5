package caption

import (
	"context"
	"testing"
	"time"

	"github.com/capgen/capgen/internal/testmodels"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

// benchEngine loads the SmolVLM-256M-shaped random-weight pair without
// image splitting (one 64-token slice per image): the image encode is the
// same for both sides of each comparison, and splitting would only make
// the runs longer on a CPU.
func benchEngine(b *testing.B) *Engine {
	b.Helper()
	p := testmodels.SmolVLM256MNoSplit(b)
	n := testmodels.BenchThreads()
	e, err := Load(context.Background(), p.Model, p.MMProj, &LoadOptions{Projector: llama.ProjectorOptions{Threads: n}}, &Options{NoCache: true, Threads: n})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	return e
}

// BenchmarkLanguages compares 5 languages of one image in one Describe call
// with 5 separate calls (the baseline), in the same run; metric
// "together/separate" is the time ratio.
func BenchmarkLanguages(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	img := testPicture()
	five := []Language{MustLookupLanguage("de"), MustLookupLanguage("fr"), MustLookupLanguage("es"), MustLookupLanguage("ja"), MustLookupLanguage("sw")}
	gen := Generation{MaxTokens: 24}
	var together, separate time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := e.Describe(ctx, &Request{Image: img, Languages: five, Generation: gen, NoRetry: true}); err != nil {
			b.Fatal(err)
		}
		together += time.Since(start)
		start = time.Now()
		for _, l := range five {
			if _, err := e.Describe(ctx, &Request{Image: img, Languages: []Language{l}, Generation: gen, NoRetry: true}); err != nil {
				b.Fatal(err)
			}
		}
		separate += time.Since(start)
	}
	b.ReportMetric(together.Seconds()/separate.Seconds(), "together/separate")
	b.ReportMetric(together.Seconds()/float64(b.N), "s/5-lang-call")
}

// BenchmarkRegions compares 4 regions captioned together with one call per
// region, in the same run.
func BenchmarkRegions(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	img := testPicture()
	boxes := []vision.Box{{X0: 0, Y0: 0, X1: 80, Y1: 60}, {X0: 80, Y0: 0, X1: 160, Y1: 60}, {X0: 0, Y0: 60, X1: 80, Y1: 120}, {X0: 80, Y0: 60, X1: 160, Y1: 120}}
	var together, separate time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := e.Regions(ctx, &RegionsRequest{Image: img, Boxes: boxes, Words: 6, NoRetry: true}); err != nil {
			b.Fatal(err)
		}
		together += time.Since(start)
		start = time.Now()
		for _, box := range boxes {
			if _, err := e.Regions(ctx, &RegionsRequest{Image: img, Boxes: []vision.Box{box}, Words: 6, NoRetry: true}); err != nil {
				b.Fatal(err)
			}
		}
		separate += time.Since(start)
	}
	b.ReportMetric(together.Seconds()/separate.Seconds(), "together/separate")
}

// BenchmarkBatch compares 8 images captioned in one continuous batch
// (DescribeBatch, as capgen batch does) with one Describe call per image
// (the naive baseline, model loaded once), in the same run, in the order
// batch, naive, naive, batch so that a machine speeding up or slowing down
// during the run favours neither; metric "batch/naive" is the speed-up.
func BenchmarkBatch(b *testing.B) {
	e := benchEngine(b)
	ctx := context.Background()
	var reqs []*Request
	for i := range 8 {
		reqs = append(reqs, &Request{Image: picture(320, 240, i), NoRetry: true, Generation: Generation{MaxTokens: 24}})
	}
	runBatch := func() time.Duration {
		start := time.Now()
		_, errs := e.DescribeBatch(ctx, reqs)
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	runNaive := func() time.Duration {
		start := time.Now()
		for _, r := range reqs {
			if _, err := e.Describe(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(start)
	}
	var batch, naive time.Duration
	b.ResetTimer()
	for range b.N {
		batch += runBatch()
		naive += runNaive()
		naive += runNaive()
		batch += runBatch()
	}
	b.ReportMetric(naive.Seconds()/batch.Seconds(), "batch/naive")
	b.ReportMetric(float64(2*len(reqs)*b.N)/batch.Seconds(), "images/s")
}
