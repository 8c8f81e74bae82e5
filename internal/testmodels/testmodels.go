// Package testmodels writes the tiny random-weight model pairs that tests
// across capgen load, once per test binary.
package testmodels

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/capgen/capgen/models/gguf"
	"github.com/capgen/capgen/models/synth"
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
	dir := os.Getenv("CAPGEN_BENCH_DIR")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "build", "models")
	}
	p := synth.SmolVLM256M()
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
