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
	if after := llama.Live(); after.Samplers != 0 || after.Bitmaps != 0 || after.ChunkLists != 0 || after.Contexts != before.Contexts {
		t.Errorf("native objects held after the run: %+v (before %+v)", after, before)
	}
	end := rssMiB(t)
	t.Logf("RSS after 200 images %.1f MiB, after %d %.1f MiB", warm, total, end)
	if end-warm > 8 {
		t.Errorf("RSS grew by %.1f MiB from image 200 to image %d: something leaks", end-warm, total)
	}
}
