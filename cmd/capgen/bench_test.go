package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/capgen/capgen/internal/testmodels"
	"github.com/capgen/capgen/llama"
)

func TestBenchJSON(t *testing.T) {
	p := testmodels.Tiny(t, "tiny-llava")
	out := filepath.Join(t.TempDir(), "bench.json")
	// The process baseline re-runs the executable, which is the test
	// binary here; it is covered by hand (docs/performance.md).
	code, stdout, errOut := capture(t, "bench", "--model", p.Model, "--mmproj", p.MMProj, "--threads", "1",
		"--images", "3", "--size", "96x64", "--seqs", "1,4", "--gen-tokens", "5", "--max-tokens", "5",
		"--lang", "en,de,ja", "--baselines", "naive,languages", "--leak", "12", "--format", "json", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r benchReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if r.Encode.EncodeMS <= 0 || r.Encode.ImageTokens <= 0 || r.Prefill.TokensPerSec <= 0 {
		t.Errorf("encode/prefill figures missing: %+v %+v", r.Encode, r.Prefill)
	}
	if len(r.Generate) < 2 || r.Generate[0].Sequences != 1 || r.Generate[1].Sequences != 4 {
		t.Fatalf("generate figures: %+v", r.Generate)
	}
	for _, g := range r.Generate {
		if g.Tokens != 5*g.Sequences || g.TokensPerSec <= 0 {
			t.Errorf("generate x%d (%s): %d tokens at %.1f/s; want %d (IgnoreEnd keeps every sequence to --gen-tokens)", g.Sequences, g.KVCache, g.Tokens, g.TokensPerSec, 5*g.Sequences)
		}
	}
	if b := r.Batch; b == nil || b.Images != 3 || b.ImagesPerSec <= 0 || b.NaivePerSec <= 0 || b.VsNaive <= 0 || b.ProcessPerSec != 0 {
		t.Errorf("batch figures: %+v", r.Batch)
	}
	if l := r.Languages; l == nil || len(l.Languages) != 3 || l.OneMS <= 0 || l.AllVsOne <= 0 || l.SepVsAll <= 0 {
		t.Errorf("languages figures: %+v", r.Languages)
	}
	if r.Leak == nil || r.Leak.Images != 12 || len(r.Leak.RSSMiB) < 2 {
		t.Errorf("leak figures: %+v", r.Leak)
	}
	if r.Memory.PeakRSSMiB <= 0 || r.Machine.CPUs <= 0 || r.Machine.LlamaCpp == "" || r.Machine.Backend != llama.Backend || r.Model.Projector != "mlp" {
		t.Errorf("machine/model/memory: %+v %+v %+v", r.Machine, r.Model, r.Memory)
	}
	saved, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var again benchReport
	if err := json.Unmarshal(saved, &again); err != nil || again.Batch == nil {
		t.Errorf("--out %s: %v", out, err)
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--preset", "nope"},
		{"bench", "--seqs", "0"},
		{"bench", "--size", "10"},
		{"bench", "--kv-types", "f8"},
		{"bench", "--baselines", "fast"},
		{"bench", "--format", "xml"},
		{"bench", "--preset", "tiny-llava", "--model", "x.gguf"},
	} {
		code, _, errOut := capture(t, args...)
		if code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, errOut)
		}
	}
}

func TestToyModelName(t *testing.T) {
	t.Setenv("CAPGEN_MODELS", t.TempDir())
	code, out, errOut := capture(t, "describe", "--model", "toy", "--threads", "1", "--lang", "en", "--max-tokens", "4", scene(t))
	if code != exitOK || out == "" {
		t.Fatalf("exit %d: %q %s", code, out, errOut)
	}
	code, _, errOut = capture(t, "describe", "--model", "toy", "--mmproj", "x.gguf", scene(t))
	if code != exitUsage {
		t.Errorf("--model toy with --mmproj: exit %d (%s)", code, errOut)
	}
}
