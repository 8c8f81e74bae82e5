package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"github.com/capgen/capgen"
	"github.com/capgen/capgen/internal/testmodels"
)

// corpusCase is one bad input: the command's arguments and the exit
// codes it may end with (2 for bad input; 0 where a decoder may accept a
// damaged file or an odd one is still an image).
type corpusCase struct {
	name string
	args []string
	want []int
}

// The bad-input corpus (issue 18): truncated files of every format at
// several cut points, empty, text, a folder, a named pipe, a symlink
// loop, /dev/zero, extreme sizes, bogus EXIF orientations, broken and
// hostile GGUFs, a projector of another model, bad boxes, languages and
// numbers. Each ends within a bound, with a documented exit code and (for
// an error) a one-line message; a panic or an abort inside C would end
// the test binary. A batch over all the bad images ends with exit 3 and
// one record each.
func TestBadInputCorpus(t *testing.T) {
	dir := t.TempDir()
	var cases []corpusCase
	img := func(name string, want ...int) {
		cases = append(cases, corpusCase{"describe " + name, []string{"describe", "--model", "toy", "--threads", "1", "--max-tokens", "4", "--max-file-size", "4", filepath.Join(dir, name)}, want})
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Every format, whole and cut at several points.
	src := sceneImage(t)
	encoded := map[string][]byte{}
	for ext, enc := range map[string]func(*bytes.Buffer) error{
		"png":  func(b *bytes.Buffer) error { return png.Encode(b, src) },
		"jpg":  func(b *bytes.Buffer) error { return jpeg.Encode(b, src, nil) },
		"gif":  func(b *bytes.Buffer) error { return gif.Encode(b, src, nil) },
		"bmp":  func(b *bytes.Buffer) error { return bmp.Encode(b, src) },
		"tiff": func(b *bytes.Buffer) error { return tiff.Encode(b, src, nil) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			t.Fatal(err)
		}
		encoded[ext] = b.Bytes()
	}
	webp, err := os.ReadFile(filepath.Join("..", "..", "vision", "testdata", "lossy.webp"))
	if err != nil {
		t.Fatal(err)
	}
	encoded["webp"] = webp
	for ext, data := range encoded {
		for _, cut := range []int{1, 8, 40, len(data) / 3, len(data) / 2, len(data) - 1} {
			name := fmt.Sprintf("cut%d.%s", cut, ext)
			write(name, data[:cut])
			if cut < len(data)/2 {
				img(name, exitUsage)
			} else {
				img(name, exitOK, exitUsage)
			}
		}
	}
	write("empty.png", nil)
	img("empty.png", exitUsage)
	write("notes.jpg", []byte("this is text, not an image\n"))
	img("notes.jpg", exitUsage)
	os.Mkdir(filepath.Join(dir, "folder.png"), 0o755)
	img("folder.png", exitUsage)
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.png"), 0o600); err == nil {
		img("pipe.png", exitUsage)
	}
	os.Symlink("loop2.png", filepath.Join(dir, "loop1.png"))
	os.Symlink("loop1.png", filepath.Join(dir, "loop2.png"))
	img("loop1.png", exitUsage)
	cases = append(cases, corpusCase{"describe /dev/zero", []string{"describe", "--model", "toy", "--max-file-size", "1", "/dev/zero"}, []int{exitUsage}})
	write("one.png", pngOf(t, 1, 1))
	img("one.png", exitOK, exitUsage)
	// Far thinner than wide: clip.cpp's resize read out of bounds on
	// these and crashed the process now and then; refused in Go.
	write("thin.png", pngOf(t, 20000, 10))
	img("thin.png", exitUsage)
	write("line.png", pngOf(t, 1024, 1))
	img("line.png", exitUsage)
	write("wide.png", pngOf(t, 1000, 20))
	img("wide.png", exitOK)
	for _, o := range []uint16{0, 9, 255, 65535} {
		name := fmt.Sprintf("orient%d.jpg", o)
		write(name, withOrientation(t, encoded["jpg"], o))
		img(name, exitOK, exitUsage)
	}

	// Model files.
	toyModel, toyProj := filepath.Join(dir, "toy.gguf"), filepath.Join(dir, "mmproj-toy.gguf")
	os.WriteFile(toyModel, capgen.ToyModel, 0o644)
	os.WriteFile(toyProj, capgen.ToyProjector, 0o644)
	scenePath := scene(t)
	model := func(name, m, mm string) {
		cases = append(cases, corpusCase{"model " + name, []string{"describe", "--model", m, "--mmproj", mm, "--threads", "1", "--max-tokens", "4", scenePath}, []int{exitUsage}})
	}
	for _, cut := range []int{4, 24, 200, 4096, len(capgen.ToyModel) / 2, len(capgen.ToyModel) - 64} {
		p := filepath.Join(dir, fmt.Sprintf("toy-cut%d.gguf", cut))
		os.WriteFile(p, capgen.ToyModel[:cut], 0o644)
		model(filepath.Base(p), p, toyProj)
		pp := filepath.Join(dir, fmt.Sprintf("mmproj-cut%d.gguf", cut))
		os.WriteFile(pp, capgen.ToyProjector[:min(cut, len(capgen.ToyProjector)-64)], 0o644)
		model(filepath.Base(pp), toyModel, pp)
	}
	for name, data := range map[string][]byte{
		"tensors-2^62.gguf": ggufHeader(1<<62, 0, nil),
		"string-2^62.gguf":  ggufHeader(0, 1, binary.LittleEndian.AppendUint64(nil, 1<<62)),
		"string-past.gguf":  ggufHeader(0, 1, binary.LittleEndian.AppendUint64(nil, 1<<20)),
		"kv-2^62.gguf":      ggufHeader(0, 1<<62, nil),
		"version-99.gguf":   append([]byte("GGUF"), 99, 0, 0, 0),
		"not-gguf.gguf":     []byte("PK\x03\x04 a zip file"),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		model(name, p, toyProj)
		model("as projector "+name, toyModel, p)
	}
	other := testmodels.Tiny(t, "tiny-qwen25vl")
	model("projector of another model", toyModel, other.MMProj)
	model("text model as projector", toyModel, toyModel)
	model("projector as text model", toyProj, toyProj)

	// Boxes, languages, numbers.
	// A box partly or wholly beyond the image is clipped to it; an empty,
	// reversed, malformed or non-finite one is refused.
	for b, want := range map[string][]int{
		"-10,0,100,100": {exitOK}, "0,0,1e30,1e30": {exitOK}, "100,100,0,0": {exitUsage}, "NaN,0,10,10": {exitUsage},
		"0,0,0,0": {exitUsage}, "1,2,3": {exitUsage}, "a,b,c,d": {exitUsage}, "1e400,0,1,1": {exitUsage}, "500,400,600,500": {exitUsage},
	} {
		cases = append(cases, corpusCase{"box " + b, []string{"regions", "--model", "toy", "--box", b, scenePath}, want})
	}
	// Empty items and repeats of a language are dropped (an empty list is
	// English); an unknown or malformed one is refused.
	for l, want := range map[string][]int{"xx": {exitUsage}, "en;de": {exitUsage}, "de,zz": {exitUsage},
		"": {exitOK}, "de,,ja": {exitOK}, strings.Repeat("de,", 300): {exitOK}} {
		cases = append(cases, corpusCase{"lang " + l[:min(len(l), 12)], []string{"describe", "--model", "toy", "--lang", l, scenePath}, want})
	}
	for _, a := range [][]string{
		{"describe", "--max-tokens", "abc"}, {"describe", "--threads", "-5"}, {"describe", "--temperature", "-1"},
		{"describe", "--ctx-size", "1"}, {"describe", "--max-side", "0"}, {"describe", "--detail", "epic"},
		{"describe", "--strategy", "guess"}, {"regions", "--words", "-1", "--box", "0,0,10,10"}, {"regions", "--words", "100000", "--box", "0,0,10,10"},
		{"dense", "--grid", "-1x2"}, {"dense", "--grid", "99x99"}, {"dense", "--tile-mode", "poem"}, {"describe", "--format", "xml"},
	} {
		args := append([]string{a[0], "--model", "toy"}, a[1:]...)
		cases = append(cases, corpusCase{"flags " + strings.Join(a, " "), append(args, scenePath), []int{exitUsage}})
	}

	for _, c := range cases {
		code, errOut, took := runBounded(t, c.args, time.Minute)
		if took > time.Minute {
			t.Errorf("%s: still running after a minute", c.name)
			continue
		}
		ok := false
		for _, w := range c.want {
			ok = ok || code == w
		}
		lines := strings.Count(strings.TrimRight(errOut, "\n"), "\n") + 1
		if !ok || (code != exitOK && lines != 1) || strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine ") {
			t.Errorf("%s: exit %d (want one of %v), stderr (%d lines): %q", c.name, code, c.want, lines, errOut)
		}
	}

	// All the bad images in one batch: exit 3, one record each, no hang.
	out := filepath.Join(t.TempDir(), "corpus.jsonl")
	code, errOut, took := runBounded(t, []string{"batch", "--model", "toy", "--threads", "1", "--max-tokens", "4", "--max-file-size", "4", "--progress", "none", "--out", out, dir}, 5*time.Minute)
	if took > 5*time.Minute || code != exitSomeFailed {
		t.Errorf("batch over the corpus: exit %d after %s: %s", code, took, errOut)
	}
	if n := len(journalLines(t, out)); n < 40 {
		t.Errorf("batch over the corpus recorded %d images", n)
	}
	t.Logf("%d bad-input cases held, and a batch of %d records over them", len(cases), len(journalLines(t, out)))
}

// runBounded runs the CLI in this process with a time bound; a run that
// does not end in it is reported (its goroutine is left behind).
func runBounded(t *testing.T, args []string, bound time.Duration) (int, string, time.Duration) {
	t.Helper()
	type result struct {
		code   int
		errOut string
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		code, _, errOut := capture(t, args...)
		done <- result{code, errOut}
	}()
	select {
	case r := <-done:
		return r.code, r.errOut, time.Since(start)
	case <-time.After(bound):
		return -1, "", bound + time.Second
	}
}

func sceneImage(t *testing.T) image.Image {
	t.Helper()
	f, err := os.Open(scene(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func pngOf(t *testing.T, w, h int) []byte {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = 0x80
	}
	m.Set(0, 0, color.NRGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withOrientation inserts an EXIF block with the given orientation value
// after a JPEG's start marker.
func withOrientation(t *testing.T, jpg []byte, o uint16) []byte {
	tiffHdr := []byte("II*\x00\x08\x00\x00\x00")
	ifd := binary.LittleEndian.AppendUint16(nil, 1)     // one entry
	ifd = binary.LittleEndian.AppendUint16(ifd, 0x0112) // Orientation
	ifd = binary.LittleEndian.AppendUint16(ifd, 3)      // SHORT
	ifd = binary.LittleEndian.AppendUint32(ifd, 1)
	ifd = binary.LittleEndian.AppendUint16(ifd, o)
	ifd = append(ifd, 0, 0, 0, 0, 0, 0) // value padding, next IFD
	payload := append(append([]byte("Exif\x00\x00"), tiffHdr...), ifd...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)
	return append(append(append([]byte(nil), jpg[:2]...), seg...), jpg[2:]...)
}

// ggufHeader is a GGUF v3 header with the given counts and, if given, the
// length field of the first key.
func ggufHeader(tensors, kvs uint64, keyLen []byte) []byte {
	b := append([]byte("GGUF"), 3, 0, 0, 0)
	b = binary.LittleEndian.AppendUint64(b, tensors)
	b = binary.LittleEndian.AppendUint64(b, kvs)
	b = append(b, keyLen...)
	return append(b, "general.architecture"...)
}
