package caption

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/capgen/capgen/llama"
)

// rssMiB is the process's resident memory (Linux), after a garbage
// collection that returns freed Go memory to the system.
func rssMiB(t *testing.T) float64 {
	t.Helper()
	runtime.GC()
	debug.FreeOSMemory()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	f := strings.Fields(string(b))
	pages, err := strconv.ParseFloat(f[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return pages * float64(os.Getpagesize()) / (1 << 20)
}

// TestNoGrowthOver1000Images captions 1,000 different images in batches
// on one engine and checks that the process does not grow after warm-up:
// contexts, sequences, samplers, image embeddings and cgo handles are all
// released.
func TestNoGrowthOver1000Images(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 images")
	}
	e := tinyEngine(t, "tiny-llava", &Options{MaxSequences: 16, NoCache: true})
	ctx := context.Background()
	before := llama.Live()
	const total, group = 1000, 16
	var warm float64
	for done := 0; done < total; {
		var reqs []*Request
		for len(reqs) < group && done+len(reqs) < total {
			reqs = append(reqs, &Request{Image: picture(24+(done+len(reqs))%17, 24, done+len(reqs)), NoRetry: true, Generation: Generation{MaxTokens: 4}})
		}
		_, errs := e.DescribeBatch(ctx, reqs)
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		done += len(reqs)
		if warm == 0 && done >= 200 {
			warm = rssMiB(t)
		}
	}
	checkNoGrowth(t, before, warm, total)
}

// TestNoGrowthOneStream sends 1,000 images through one DescribeStream: one
// continuous batch (one llama_decode loop) for all of them, where nothing
// may pile up until the end: completions, samplers and KV cells of
// finished images are released as they finish.
func TestNoGrowthOneStream(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 images")
	}
	e := tinyEngine(t, "tiny-llava", &Options{MaxSequences: 16, NoCache: true, ContextSize: 1024})
	before := llama.Live()
	const total = 1000
	in := make(chan *Request, 32)
	go func() {
		for i := range total {
			in <- &Request{Image: picture(24+i%17, 24, i), NoRetry: true, Generation: Generation{MaxTokens: 4}}
		}
		close(in)
	}()
	var warm float64
	done, maxSamplers := 0, 0
	took, err := e.DescribeStream(context.Background(), in, func(_ *Request, _ *Result, err error) {
		if err != nil {
			t.Error(err)
		}
		done++
		maxSamplers = max(maxSamplers, llama.Live().Samplers)
		if done == 200 {
			warm = rssMiB(t)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if done != total || took.Rounds != 1 {
		t.Fatalf("%d of %d images answered in %d rounds, want all in 1", done, total, took.Rounds)
	}
	// Each image needs a prefix and a caption sequence: 16 sequences run 8.
	if maxSamplers > 16 {
		t.Errorf("%d samplers alive at once: finished captions keep theirs", maxSamplers)
	}
	checkNoGrowth(t, before, warm, total)
}

// checkNoGrowth checks that a run of total images left no native objects
// behind (before: the counts at its start) and that the RSS did not grow
// from image 200 (warm) to the end.
func checkNoGrowth(t *testing.T, before llama.LiveObjects, warm float64, total int) {
	t.Helper()
	if after := llama.Live(); after.Samplers != 0 || after.Bitmaps != 0 || after.ChunkLists != 0 || after.Contexts != before.Contexts {
		t.Errorf("native objects held after the run: %+v (before %+v)", after, before)
	}
	end := rssMiB(t)
	t.Logf("RSS after 200 images %.1f MiB, after %d %.1f MiB", warm, total, end)
	if end-warm > 8 {
		t.Errorf("RSS grew by %.1f MiB from image 200 to image %d: something leaks", end-warm, total)
	}
}
