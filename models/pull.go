package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/capgen/capgen/gguf"
)

// ErrChecksum means a downloaded file's SHA-256 differs from the expected
// one; the file is removed.
var ErrChecksum = errors.New("models: checksum mismatch")

// CacheDir is where pulled models live: $CAPGEN_MODELS, else
// $XDG_CACHE_HOME/capgen/models, else ~/.cache/capgen/models.
func CacheDir() string {
	if d := os.Getenv("CAPGEN_MODELS"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "capgen", "models")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".cache", "capgen", "models")
	}
	return filepath.Join(os.TempDir(), "capgen-models")
}

// PullOptions configures Pull. A nil *PullOptions means defaults.
type PullOptions struct {
	// Dir is the cache folder; "" means CacheDir().
	Dir string
	// BaseURL replaces BaseURL (a mirror, or a test server).
	BaseURL string
	// Client is the HTTP client; nil means http.DefaultClient.
	Client *http.Client
	// Progress, if set, is called with the file name, bytes so far and the
	// total (0 when unknown).
	Progress func(file string, done, total int64)
}

// Paths returns where an entry's files are (or will be) in dir.
func (e *Entry) Paths(dir string) (model, mmproj string) {
	if dir == "" {
		dir = CacheDir()
	}
	d := filepath.Join(dir, e.Name)
	return filepath.Join(d, e.Model.Name), filepath.Join(d, e.MMProj.Name)
}

// Pull downloads both files of e (skipping files already complete) and
// returns their paths.
func Pull(ctx context.Context, e Entry, opt *PullOptions) (model, mmproj string, err error) {
	if opt == nil {
		opt = &PullOptions{}
	}
	model, mmproj = e.Paths(opt.Dir)
	for _, f := range []struct {
		file File
		path string
	}{{e.Model, model}, {e.MMProj, mmproj}} {
		if err := Download(ctx, e.URL(opt.BaseURL, f.file), f.path, f.file.SHA256, opt); err != nil {
			return "", "", err
		}
	}
	return model, mmproj, nil
}

// Download fetches url into path, resuming from path+".part" with an HTTP
// Range request, verifies the GGUF header (package gguf's checks: counts,
// lengths, tensor data within the file) and, when want is set, the
// SHA-256; the file is renamed into place only when both pass. A file
// already at path whose recorded checksum (path+".sha256") matches is kept.
func Download(ctx context.Context, url, path, want string, opt *PullOptions) error {
	if opt == nil {
		opt = &PullOptions{}
	}
	client := opt.Client
	if client == nil {
		client = http.DefaultClient
	}
	if ok, err := complete(path, want); err != nil || ok {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("models: %w", err)
	}
	part := path + ".part"
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("models: %w", err)
	}
	defer f.Close()
	// Hash what is already there, then continue after it.
	h := sha256.New()
	have, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("models: reading %s: %w", part, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("models: %w", err)
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("models: downloading %s: %w (run the same command again to resume)", url, err)
	}
	defer resp.Body.Close()
	var total int64
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		total = have + resp.ContentLength
	case resp.StatusCode == http.StatusOK:
		// The server ignored the range (or there was none): start over.
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("models: %w", err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("models: %w", err)
		}
		h.Reset()
		have, total = 0, resp.ContentLength
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		// The part file is already whole (or longer than the file).
		total = have
	default:
		return fmt.Errorf("models: downloading %s: server answered %s", url, resp.Status)
	}
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		if _, err := f.Seek(have, io.SeekStart); err != nil {
			return fmt.Errorf("models: %w", err)
		}
		w := &progressWriter{w: io.MultiWriter(f, h), name: filepath.Base(path), done: have, total: total, fn: opt.Progress}
		if _, err := io.Copy(w, resp.Body); err != nil {
			f.Sync()
			return fmt.Errorf("models: downloading %s: %w after %d bytes (run the same command again to resume)", url, err, w.done)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("models: %w", err)
	}
	return finish(f, part, path, want, h)
}

// finish checks a complete part file and renames it into place.
func finish(f *os.File, part, path, want string, h hash.Hash) error {
	var magic [4]byte
	if _, err := f.ReadAt(magic[:], 0); err != nil || string(magic[:]) != "GGUF" {
		f.Close()
		os.Remove(part)
		return fmt.Errorf("models: %s is not a GGUF file (starts with %q): removed", filepath.Base(path), magic[:])
	}
	// The whole header, checked as llama.cpp would read it: most published
	// files have no checksum to compare, and a cut or corrupted download
	// must not be kept as if it were whole.
	st, err := f.Stat()
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err == nil {
		_, err = gguf.Read(f, st.Size())
	}
	if err != nil {
		f.Close()
		os.Remove(part)
		return fmt.Errorf("models: %s is not a valid GGUF file (%v): removed, pull again", filepath.Base(path), err)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if want != "" && !strings.EqualFold(got, want) {
		f.Close()
		os.Remove(part)
		return fmt.Errorf("%w: %s has SHA-256 %s, want %s: removed, pull again", ErrChecksum, filepath.Base(path), got, want)
	}
	f.Close()
	if err := os.Rename(part, path); err != nil {
		return fmt.Errorf("models: %w", err)
	}
	return os.WriteFile(path+".sha256", []byte(got+"  "+filepath.Base(path)+"\n"), 0o644)
}

// complete reports whether path is already downloaded and intact.
func complete(path, want string) (bool, error) {
	rec, err := os.ReadFile(path + ".sha256")
	if err != nil {
		return false, nil
	}
	if _, err := os.Stat(path); err != nil {
		return false, nil
	}
	recorded := strings.Fields(string(rec))
	if len(recorded) == 0 {
		return false, nil
	}
	if want != "" && !strings.EqualFold(recorded[0], want) {
		return false, nil
	}
	return true, nil
}

// Verify recomputes a pulled file's SHA-256 against its record.
func Verify(path string) error {
	rec, err := os.ReadFile(path + ".sha256")
	if err != nil {
		return fmt.Errorf("models: %s has no checksum record: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("models: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("models: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); !strings.HasPrefix(string(rec), got) {
		return fmt.Errorf("%w: %s changed since it was pulled", ErrChecksum, path)
	}
	return nil
}

type progressWriter struct {
	w           io.Writer
	name        string
	done, total int64
	fn          func(string, int64, int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.fn != nil {
		p.fn(p.name, p.done, p.total)
	}
	return n, err
}

// Resolve turns a --model value into files: a registry name whose pair was
// pulled gives its paths; anything else is taken as a path.
func Resolve(name, dir string) (model, mmproj string, ok bool) {
	e, err := Lookup(name)
	if err != nil {
		return "", "", false
	}
	model, mmproj = e.Paths(dir)
	if _, err := os.Stat(model); err != nil {
		return "", "", false
	}
	return model, mmproj, true
}
