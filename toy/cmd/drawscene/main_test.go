package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.png")
	var stdout strings.Builder
	if err := run([]string{"-seed", "3", "-size", "300x200", "-grid", "3", "-lang", "all", "-o", out}, &stdout); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout.String(), "\n"); n != 10 {
		t.Errorf("printed %d lines, want one per language:\n%s", n, stdout.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil || cfg.Width != 300 || cfg.Height != 200 {
		t.Errorf("PNG config %+v, %v", cfg, err)
	}
	for _, bad := range [][]string{{"-size", "300"}, {"-grid", "4"}, {"-lang", "pt"}, {"-fill", "0"}} {
		if err := run(append(bad, "-o", out), &stdout); err == nil {
			t.Errorf("run(%q) succeeded", bad)
		}
	}
}
