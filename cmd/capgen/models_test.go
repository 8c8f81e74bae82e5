package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/capgen/capgen/gguf"
)

// models pull against a local server standing in for the model hub.
func TestModelsPullListRm(t *testing.T) {
	// A small valid GGUF: pull checks the whole header.
	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	if err := w.AddTensor("token_embd.weight", gguf.F32, []uint64{32, 32}, gguf.Values(make([]float32, 32*32))); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(data))
	}))
	defer srv.Close()
	cache := t.TempDir()
	t.Setenv("CAPGEN_MODELS", cache)

	code, _, errOut := capture(t, "models", "pull", "--base-url", srv.URL, "smolvlm-256m")
	if code != exitOK {
		t.Fatalf("pull: exit %d %s", code, errOut)
	}
	want := []string{"/ggml-org/SmolVLM-256M-Instruct-GGUF/resolve/main/SmolVLM-256M-Instruct-Q8_0.gguf", "/ggml-org/SmolVLM-256M-Instruct-GGUF/resolve/main/mmproj-SmolVLM-256M-Instruct-Q8_0.gguf"}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("requested %v, want %v", paths, want)
	}
	if _, err := os.Stat(filepath.Join(cache, "smolvlm-256m", "SmolVLM-256M-Instruct-Q8_0.gguf")); err != nil {
		t.Error(err)
	}
	code, out, _ := capture(t, "models", "list")
	if code != exitOK || !strings.Contains(out, "smolvlm-256m") || !strings.Contains(out, "pulled") {
		t.Errorf("list after pull: %s", out)
	}
	// A pulled name is accepted as --model (the fake file then fails to load
	// as a model, which is a usage error naming it).
	code, _, errOut = capture(t, "describe", "--model", "smolvlm-256m", scene(t))
	if code != exitUsage || !strings.Contains(errOut, "SmolVLM-256M-Instruct-Q8_0.gguf") {
		t.Errorf("describe with a pulled name: exit %d %s", code, errOut)
	}
	if code, _, errOut := capture(t, "models", "pull", "smolvlm-9000"); code != exitUsage || !strings.Contains(errOut, "unknown model") {
		t.Errorf("unknown name: exit %d %s", code, errOut)
	}
	if code, _, _ := capture(t, "models", "rm", "smolvlm-256m"); code != exitOK {
		t.Errorf("rm: exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(cache, "smolvlm-256m")); !os.IsNotExist(err) {
		t.Error("rm left the folder")
	}
}
