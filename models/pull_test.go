package models

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/capgen/capgen/gguf"
)

// fakeFile is a valid GGUF file of about 1 MiB of random weights.
func fakeFile() []byte {
	v := make([]float32, 512*512)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range v {
		v[i] = r.Float32()
	}
	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	if err := w.AddTensor("token_embd.weight", gguf.F32, []uint64{512, 512}, gguf.Values(v)); err != nil {
		panic(err)
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func sum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// server serves data at every path; the first response is cut off after
// cut bytes (0 = never), as a dropped connection would.
func server(t *testing.T, data []byte, cut int) (*httptest.Server, *atomic.Int32, *atomic.Int32) {
	var requests, ranged atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		if r.Header.Get("Range") != "" {
			ranged.Add(1)
		}
		if n == 1 && cut > 0 {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.WriteHeader(http.StatusOK)
			w.Write(data[:cut])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		http.ServeContent(w, r, "f.gguf", time.Time{}, bytes.NewReader(data))
	}))
	t.Cleanup(srv.Close)
	return srv, &requests, &ranged
}

func TestDownloadResumesAfterInterruption(t *testing.T) {
	data := fakeFile()
	srv, requests, ranged := server(t, data, 300_000)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gguf")
	var last int64
	opt := &PullOptions{Progress: func(_ string, done, _ int64) { last = done }}
	err := Download(context.Background(), srv.URL+"/m.gguf", path, sum(data), opt)
	if err == nil || !strings.Contains(err.Error(), "resume") {
		t.Fatalf("first try: err = %v, want an interrupted download", err)
	}
	if st, err := os.Stat(path + ".part"); err != nil || st.Size() == 0 {
		t.Fatalf("no partial file kept: %v", err)
	}
	if err := Download(context.Background(), srv.URL+"/m.gguf", path, sum(data), opt); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, data) {
		t.Fatal("resumed file differs from the original")
	}
	if ranged.Load() != 1 || requests.Load() != 2 {
		t.Errorf("%d requests, %d with Range; want 2 and 1", requests.Load(), ranged.Load())
	}
	if last != int64(len(data)) {
		t.Errorf("progress ended at %d of %d", last, len(data))
	}
	if _, err := os.Stat(path + ".part"); !os.IsNotExist(err) {
		t.Error("part file left behind")
	}
	if err := Verify(path); err != nil {
		t.Error(err)
	}
	// A third call finds the file complete and asks nothing.
	if err := Download(context.Background(), srv.URL+"/m.gguf", path, sum(data), opt); err != nil || requests.Load() != 2 {
		t.Errorf("complete file downloaded again: %v, %d requests", err, requests.Load())
	}
	// Corruption after the pull is caught by Verify.
	got[100] ^= 0xff
	os.WriteFile(path, got, 0o644)
	if err := Verify(path); !errors.Is(err, ErrChecksum) {
		t.Errorf("Verify of a changed file: %v", err)
	}
}

func TestDownloadRejectsCorruptFile(t *testing.T) {
	data := fakeFile()
	srv, _, _ := server(t, data, 0)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.gguf")
	want := sum(append([]byte("other"), data...))
	err := Download(context.Background(), srv.URL+"/m.gguf", path, want, nil)
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("err = %v, want ErrChecksum", err)
	}
	for _, p := range []string{path, path + ".part"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s kept after a checksum failure", p)
		}
	}
	notGGUF := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>login required</html>"))
	}))
	defer notGGUF.Close()
	if err := Download(context.Background(), notGGUF.URL+"/m.gguf", path, "", nil); err == nil || !strings.Contains(err.Error(), "not a GGUF") {
		t.Errorf("HTML page accepted: %v", err)
	}
	// A cut file that a server reports as whole: no checksum to catch it,
	// but its tensor data ends early.
	cut, _, _ := server(t, data[:len(data)-1000], 0)
	if err := Download(context.Background(), cut.URL+"/m.gguf", path, "", nil); err == nil || !strings.Contains(err.Error(), "not a valid GGUF file") {
		t.Errorf("cut file accepted: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("cut file kept at %s", path)
	}
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	if err := Download(context.Background(), missing.URL+"/m.gguf", path, "", nil); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
}

func TestPullAndResolve(t *testing.T) {
	data := fakeFile()
	srv, requests, _ := server(t, data, 0)
	e := Entry{Name: "test-pair", Repo: "org/test", Model: File{Name: "m.gguf", SHA256: sum(data)}, MMProj: File{Name: "mmproj-m.gguf"}}
	registry = append(registry, e)
	defer func() { registry = registry[:len(registry)-1] }()
	dir := t.TempDir()
	m, mm, err := Pull(context.Background(), e, &PullOptions{Dir: dir, BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if requests.Load() != 2 {
		t.Errorf("%d requests for two files", requests.Load())
	}
	rm, rmm, ok := Resolve("test-pair", dir)
	if !ok || rm != m || rmm != mm {
		t.Errorf("Resolve = %q %q %v, want %q %q", rm, rmm, ok, m, mm)
	}
	if _, _, ok := Resolve("smolvlm-256m", dir); ok {
		t.Error("an entry that was never pulled resolved")
	}
}

func TestRegistry(t *testing.T) {
	want := []string{"smolvlm-256m", "smolvlm2-500m", "qwen2.5-vl-3b", "qwen3-vl-2b", "gemma3-4b", "internvl3-1b", "minicpm-v-4.5", "lfm2.5-vl-450m"}
	for _, n := range want {
		e, err := Lookup(n)
		if err != nil {
			t.Error(err)
			continue
		}
		if e.Repo == "" || !strings.HasSuffix(e.Model.Name, ".gguf") || !strings.HasSuffix(e.MMProj.Name, ".gguf") || e.License == "" {
			t.Errorf("incomplete entry %+v", e)
		}
		for _, s := range []string{e.Model.SHA256, e.MMProj.SHA256} {
			if s != "" && len(s) != 64 {
				t.Errorf("%s: bad checksum %q", n, s)
			}
		}
	}
	if _, err := Lookup("smolvlm-9000"); err == nil || !strings.Contains(err.Error(), "smolvlm-256m") {
		t.Errorf("unknown name: %v", err)
	}
	if got := (&Entry{Repo: "o/r"}).URL("", File{Name: "a.gguf"}); got != "https://huggingface.co/o/r/resolve/main/a.gguf" {
		t.Errorf("URL = %s", got)
	}
}

func TestSuggest(t *testing.T) {
	if got := Suggest("smolvm-256m"); len(got) != 1 || got[0] != "smolvlm-256m" {
		t.Errorf("Suggest(smolvm-256m) = %v", got)
	}
	if got := Suggest("something-else-entirely"); len(got) != 0 {
		t.Errorf("Suggest of nothing close = %v", got)
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"modle", "model", 1}, {"mode", "model", 1}, {"", "abc", 3}, {"kitten", "sitting", 3}} {
		if d := EditDistance(c.a, c.b); d != c.d {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
	}
	if _, err := Lookup("smolvm-256m"); err == nil || !strings.Contains(err.Error(), "did you mean smolvlm-256m?") {
		t.Errorf("Lookup of a typo: %v", err)
	}
}
