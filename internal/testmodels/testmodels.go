// Package testmodels writes the tiny random-weight model pairs that tests
// across capgen load, once per test binary.
package testmodels

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/capgen/capgen/gguf"
	"github.com/capgen/capgen/internal/synth"
)

// Families are the tiny presets of every projector family.
var Families = []string{"tiny-llava", "tiny-smolvlm", "tiny-qwen25vl", "tiny-gemma3"}

var (
	mu      sync.Mutex
	dir     string
	written = map[string]Pair{}
)

// Pair is the model and projector file of one preset.
type Pair struct{ Model, MMProj string }

// Tiny returns the files of a tiny preset, writing them on first use into
// a temporary folder that Cleanup removes.
func Tiny(t testing.TB, preset string) Pair {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := written[preset]; ok {
		return p
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "capgen-testmodels-")
		if err != nil {
			t.Fatal(err)
		}
		dir = d
	}
	p, err := synth.Preset(preset)
	if err != nil {
		t.Fatal(err)
	}
	m, mm, err := synth.Write(filepath.Join(dir, preset), p, &synth.WriteOptions{Seed: 7})
	if err != nil {
		t.Fatal(fmt.Errorf("writing %s: %w", preset, err))
	}
	written[preset] = Pair{m, mm}
	return written[preset]
}

// Cleanup removes the written files; call it from TestMain after m.Run.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if dir != "" {
		os.RemoveAll(dir)
		dir = ""
		written = map[string]Pair{}
	}
}

// SmolVLM256M returns a random-weight pair with the exact shapes of
// SmolVLM-256M-Instruct (text Q8_0, projector F16) for benchmarks. It is
// written once into build/models of the repository (or $CAPGEN_BENCH_DIR)
// and kept there.
func SmolVLM256M(t testing.TB) Pair {
	t.Helper()
	return writeBench(t, synth.SmolVLM256M())
}

// SmolVLM256MNoSplit is SmolVLM256M with image splitting off (as
// do_image_splitting=False in its processor): an image is one 512 px slice
// of 64 tokens instead of up to 17 slices, so benchmarks of the text side
// finish on a CPU.
func SmolVLM256MNoSplit(t testing.TB) Pair {
	t.Helper()
	return writeBench(t, synth.SmolVLM256MNoSplit())
}

func writeBench(t testing.TB, p synth.Pair) Pair {
	t.Helper()
	dir := os.Getenv("CAPGEN_BENCH_DIR")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "build", "models")
	}
	opt := &synth.WriteOptions{Type: gguf.Q8_0, VisionType: gguf.F16}
	m, mm := synth.FileNames(&p, opt)
	pair := Pair{filepath.Join(dir, m), filepath.Join(dir, mm)}
	mu.Lock()
	defer mu.Unlock()
	if _, err := os.Stat(pair.MMProj); err == nil {
		return pair
	}
	if _, _, err := synth.Write(dir, p, opt); err != nil {
		t.Fatal(err)
	}
	return pair
}

// BenchThreads is $CAPGEN_BENCH_THREADS, or 0 (the library default). On a
// machine where another job holds a core, ggml's spinning thread barrier
// makes more threads than free cores far slower, not faster.
func BenchThreads() int {
	if n, err := strconv.Atoi(os.Getenv("CAPGEN_BENCH_THREADS")); err == nil && n > 0 {
		return n
	}
	return 0
}
