package llama

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/capgen/capgen/gguf"
)

// hostileHeader is a GGUF header with one key whose name claims n bytes.
func hostileHeader(n uint64) []byte {
	b := []byte("GGUF")
	b = binary.LittleEndian.AppendUint32(b, 3)
	b = binary.LittleEndian.AppendUint64(b, 0) // tensors
	b = binary.LittleEndian.AppendUint64(b, 1) // keys
	b = binary.LittleEndian.AppendUint64(b, n) // the key's length
	return append(b, "general.architecture"...)
}

// Files that make ggml's own GGUF reader abort the process or allocate
// without bound are refused by the Go reader first, with ErrBadFile.
func TestHostileGGUFIsRefusedBeforeC(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]byte{
		"string length 2^62":       hostileHeader(1 << 62),
		"string length past end":   hostileHeader(1 << 20),
		"2^62 keys":                append(append([]byte("GGUF\x03\x00\x00\x00"), make([]byte, 8)...), 0, 0, 0, 0, 0, 0, 0, 0x40),
		"tensor data past the end": tensorPastEnd(t),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".gguf")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if m, err := LoadModel(context.Background(), path, nil); err == nil || !errors.Is(err, ErrBadFile) {
				if m != nil {
					m.Close()
				}
				t.Errorf("LoadModel: err = %v, want ErrBadFile", err)
			}
			if _, err := readProjectorHeader("LoadProjector", path); !errors.Is(err, ErrBadFile) {
				t.Errorf("projector check: err = %v, want ErrBadFile", err)
			}
		})
	}
}

// tensorPastEnd is a valid header whose one tensor claims more data than
// the file holds.
func tensorPastEnd(t *testing.T) []byte {
	w := gguf.NewWriter()
	w.Set("general.architecture", "llama")
	if err := w.AddTensor("token_embd.weight", gguf.F32, []uint64{64, 64}, gguf.Values(make([]float32, 64*64))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "full.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data[:len(data)-100]
}

// A named pipe as the model is refused at once instead of blocking in
// open(2) until something writes to it.
func TestModelPathIsAPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.gguf")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := LoadModel(context.Background(), path, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("err = %v, want ErrBadFile saying it is not a regular file", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("LoadModel blocked on a named pipe")
	}
}

// Janus-Pro projectors carry their output size in mm.1.bias, as clip.cpp
// reads it; the check before mtmd once looked for mm.2.bias and refused
// every valid file.
func TestJanusProProjectorPasses(t *testing.T) {
	w := gguf.NewWriter()
	w.Set("general.architecture", "clip")
	w.Set("clip.projector_type", "janus_pro")
	w.Set("clip.has_vision_encoder", true)
	for name, shape := range map[string][]uint64{"mm.0.weight": {32, 64}, "mm.1.weight": {64, 64}, "mm.1.bias": {64}} {
		n := shape[0]
		if len(shape) > 1 {
			n *= shape[1]
		}
		if err := w.AddTensor(name, gguf.F32, shape, gguf.Values(make([]float32, n))); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "mmproj-janus.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	h, err := readProjectorHeader("LoadProjector", path)
	if err != nil {
		t.Fatal(err)
	}
	if h.projType != "janus_pro" || h.outputSize != 64 || h.mrope || !h.hasVision {
		t.Errorf("header %+v, want janus_pro with 64-wide output, no M-RoPE, vision", h)
	}
}

// Error.Detail quotes the failing call's own llama.cpp error line, even
// while another goroutine's call fails at the same time (the first error
// line was once kept process-wide).
func TestErrorDetailIsPerCall(t *testing.T) {
	dir := t.TempDir()
	write := func(name, arch string) string {
		w := gguf.NewWriter()
		w.Set("general.architecture", arch)
		path := filepath.Join(dir, name)
		if err := w.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	unknown := write("unknown.gguf", "capgen-no-such-arch")
	empty := write("empty-llama.gguf", "llama")
	first := func(path string) string {
		_, err := LoadModel(context.Background(), path, nil)
		var le *Error
		if !errors.As(err, &le) {
			t.Fatalf("%s: err = %v, want *Error", path, err)
		}
		return le.Detail
	}
	wantUnknown, wantEmpty := first(unknown), first(empty)
	if !strings.Contains(wantUnknown, "capgen-no-such-arch") || wantEmpty == "" || wantEmpty == wantUnknown {
		t.Fatalf("details: %q and %q: the two files must fail differently", wantUnknown, wantEmpty)
	}
	errs := make(chan string, 40)
	for i := range 40 {
		go func() {
			path, want := unknown, wantUnknown
			if i%2 == 1 {
				path, want = empty, wantEmpty
			}
			if got := first(path); got != want {
				errs <- fmt.Sprintf("%s: detail %q, want %q", filepath.Base(path), got, want)
				return
			}
			errs <- ""
		}()
	}
	for range 40 {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

// Threads above the machine's cores are lowered to them (10000 threads
// once ran for minutes in 165 GB of address space); a context size above
// MaxContextSize is refused before llama.cpp tries to allocate it.
func TestContextBounds(t *testing.T) {
	f := tinyPair(t, "tiny-llava")
	m, err := LoadModel(context.Background(), f.model, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := NewContext(m, &ContextOptions{ContextSize: 512, Threads: 10000, BatchThreads: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Threads(); got != MaxThreads() {
		t.Errorf("Threads() = %d with 10000 asked, want MaxThreads() = %d", got, MaxThreads())
	}
	c.Close()
	if _, err := NewContext(m, &ContextOptions{ContextSize: MaxContextSize + 1}); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "ContextSize") {
		t.Errorf("ContextSize above the limit: err = %v, want ErrInvalidArgument naming ContextSize", err)
	}
}

// Images far thinner than the encoder's input made clip.cpp's resize read
// out of bounds and crash the process (a 1024x1 image with the toy's
// 96 px encoder); they are refused in Go, and an image at the limit
// encodes.
func TestThinImages(t *testing.T) {
	lp := loadPair(t, "tiny-llava")
	c, err := NewContext(lp.model, &ContextOptions{ContextSize: 2048, Projector: lp.proj})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	img := func(w, h int) Image { return Image{Width: w, Height: h, RGB: make([]byte, w*h*3)} }
	for range 5 {
		if err := c.Clear(); err != nil {
			t.Fatal(err)
		}
		if err := c.Append(context.Background(), 0, Prompt{Text: MediaMarker() + " hi", Images: []Image{img(64*MaxAspect, 64)}, AddSpecial: true}); err != nil {
			t.Fatalf("image at the aspect limit: %v", err)
		}
	}
	for _, im := range []Image{img(1024, 1), img(1, 1024), img(64*MaxAspect+1, 64)} {
		err := c.Append(context.Background(), 0, Prompt{Text: MediaMarker() + " hi", Images: []Image{im}, AddSpecial: true})
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), "times as long") {
			t.Errorf("%dx%d: err = %v, want ErrInvalidArgument about the aspect", im.Width, im.Height, err)
		}
		if _, _, err := lp.proj.ImageTokens(im.Width, im.Height); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("ImageTokens %dx%d: err = %v", im.Width, im.Height, err)
		}
	}
}
