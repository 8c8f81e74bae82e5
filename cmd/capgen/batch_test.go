package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/capgen/capgen/internal/testmodels"
	"github.com/capgen/capgen/sidecar"
	toyscene "github.com/capgen/capgen/toy/scene"
)

// batchDir makes a folder with three images (one in a sub-folder) and one
// broken file.
func batchDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(scene(t))
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	for i, name := range []string{"a.png", "b.png", "sub/c.png"} {
		// Different bytes, so different content hashes.
		b := append(append([]byte(nil), data...), byte(i))
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "broken.jpg"), []byte("not a jpeg"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.md"), []byte("ignored"), 0o644)
	return dir
}

func journalLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestBatchResumableWithSidecars(t *testing.T) {
	p := testmodels.Tiny(t, "tiny-llava")
	dir := batchDir(t)
	out := filepath.Join(t.TempDir(), "captions.jsonl")
	args := []string{"batch", "--model", p.Model, "--mmproj", p.MMProj, "--threads", "1", "--max-tokens", "6",
		"--on-mismatch", "keep", "--lang", "de,ja", "--xmp", "--txt", "--out", out, "--progress", "json", dir}
	code, _, errOut := capture(t, args...)
	if code != exitSomeFailed {
		t.Fatalf("exit %d, want %d (one broken file): %s", code, exitSomeFailed, errOut)
	}
	if !strings.Contains(errOut, `"status":"failed"`) || !strings.Contains(errOut, "broken.jpg") || !strings.Contains(errOut, `"captioned":3,"partial":0,"failed":1,`) {
		t.Errorf("progress/summary: %s", errOut)
	}
	lines := journalLines(t, out)
	if len(lines) != 4 {
		t.Fatalf("%d journal lines, want 4:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for _, img := range []string{"a.png", "b.png", "sub/c.png"} {
		x := filepath.Join(dir, img) + ".xmp"
		if _, err := os.Stat(x); err != nil {
			t.Errorf("no XMP sidecar for %s", img)
		}
		if _, err := os.Stat(sidecar.TextPath(filepath.Join(dir, img), nil)); err != nil {
			t.Errorf("no .txt sidecar for %s", img)
		}
	}
	if exiftool, err := exec.LookPath("exiftool"); err == nil {
		got, err := exec.Command(exiftool, "-s3", "-XMP-dc:Description-ja", filepath.Join(dir, "a.png.xmp")).Output()
		if err != nil || len(bytes.TrimSpace(got)) == 0 {
			t.Errorf("exiftool reads no Japanese description: %v %q", err, got)
		}
	} else {
		t.Error("exiftool is missing: install libimage-exiftool-perl (scripts/deps.sh does)")
	}

	// A second run skips the three done images and retries the broken one.
	code, _, errOut = capture(t, args...)
	if code != exitSomeFailed || !strings.Contains(errOut, `"event":"summary","images":4,"captioned":0,"partial":0,"failed":1,"skipped":3`) {
		t.Errorf("resume: exit %d, %s", code, errOut)
	}
	if n := len(journalLines(t, out)); n != 5 {
		t.Errorf("journal has %d lines after the resume, want 5 (one more failure record)", n)
	}
}

func TestBatchInterruptAndResume(t *testing.T) {
	p := testmodels.Tiny(t, "tiny-llava")
	dir := batchDir(t)
	os.Remove(filepath.Join(dir, "broken.jpg"))
	out := filepath.Join(t.TempDir(), "captions.jsonl")
	// --parallel 2 holds one image in the model at a time (its prefix and
	// its caption), so at most the image after the first can have started
	// when the interrupt comes: without it a fast model on a loaded machine
	// started all three (seen in a fresh-clone run).
	args := []string{"capgen", "batch", "--model", p.Model, "--mmproj", p.MMProj, "--threads", "1", "--max-tokens", "4",
		"--out", out, "--progress", "json", "--workers", "1", "--parallel", "2", dir}

	interruptAtFirst(t, args)
	first := journalLines(t, out)
	if len(first) < 1 || len(first) > 2 {
		t.Fatalf("%d records after the interrupt, want 1 or 2 (the image in the model is finished)", len(first))
	}
	code, _, stderr := capture(t, args[1:]...)
	if code != exitOK {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	recs, skipped, err := sidecar.ReadJournal(out)
	if err != nil || skipped != 0 {
		t.Fatal(err, skipped)
	}
	if len(recs) != 3 || len(journalLines(t, out)) != 3 {
		t.Errorf("after resume: %d keys, %d lines; want 3 and 3 (nothing lost, nothing duplicated)", len(recs), len(journalLines(t, out)))
	}
}

// interruptAtFirst runs args with --progress json and cancels the run (as
// Ctrl-C does) once the first image is done; the run must exit 130. It
// returns what the run wrote to stderr.
func interruptAtFirst(t *testing.T, args []string) *cancelAfter {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errOut := &cancelAfter{cancel: cancel, marker: `"status":"ok"`}
	app := newApp()
	app.Writer, app.ErrWriter = &bytes.Buffer{}, errOut
	if code := runApp(ctx, app, args, errOut); code != exitInterrupted {
		t.Fatalf("exit %d, want %d: %s", code, exitInterrupted, errOut.buf.String())
	}
	return errOut
}

// cancelAfter cancels a context when a marker is written to it.
type cancelAfter struct {
	buf    bytes.Buffer
	cancel func()
	marker string
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	if strings.Contains(string(p), c.marker) {
		c.cancel()
	}
	return c.buf.Write(p)
}

// An interrupt during a long batch takes back the images still queued for
// the model: only those it has started are finished (the message says how
// many, at most what --parallel runs), each of them with its record and
// sidecar, and the resume does the rest.
func TestBatchInterruptFinishesOnlyStarted(t *testing.T) {
	dir := t.TempDir()
	const total = 40
	for i := range total {
		s := toyscene.Scene{Rows: 2, Cols: 2, Cells: make([]toyscene.Cell, 4)}
		s.Cells[i%4] = toyscene.Cell{Filled: true, Shape: toyscene.Shape(i / 4 % toyscene.NumShapes), Colour: toyscene.Colour(i % toyscene.NumColours)}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("p%02d.png", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, toyscene.Render(s, 192, 144, toyscene.NewRand(uint64(i)), nil)); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	out := filepath.Join(t.TempDir(), "captions.jsonl")
	// 4 sequences: two images at a time (a prefix and a caption each),
	// with a queue of 8 waiting.
	args := []string{"capgen", "batch", "--model", "toy", "--threads", "1", "--parallel", "4", "--txt",
		"--out", out, "--progress", "json", dir}
	errOut := interruptAtFirst(t, args)
	m := regexp.MustCompile(`"in_progress":(\d+)`).FindStringSubmatch(errOut.buf.String())
	if m == nil {
		t.Fatalf("no message about the images in progress: %s", errOut.buf.String())
	}
	// Two run; one more may have been taken from the queue and wait for
	// a free sequence inside the engine.
	if n, _ := strconv.Atoi(m[1]); n > 3 {
		t.Errorf("finishing %d images after the interrupt: the queued ones were not taken back", n)
	}
	recs := journalLines(t, out)
	if len(recs) >= total/2 {
		t.Errorf("%d of %d images done after an interrupt at the first one", len(recs), total)
	}
	txt, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if len(txt) != len(recs) {
		t.Errorf("%d sidecars for %d records", len(txt), len(recs))
	}
	code, _, stderr := capture(t, args[1:]...)
	if code != exitOK {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if n := len(journalLines(t, out)); n != total {
		t.Errorf("%d records after the resume, want %d", n, total)
	}
}

// capgen batch --mode regions and --mode dense on the toy model; the old
// --mode overwrite still means --existing overwrite, with a note; region
// captions refuse sidecars.
func TestBatchModes(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(scene(t))
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "scene.png")
	os.WriteFile(img, data, 0o644)
	os.WriteFile(img+".boxes.json", []byte("[[0,0,240,180],[0,180,240,360]]"), 0o644)
	out := filepath.Join(t.TempDir(), "captions.jsonl")
	m := []string{"batch", "--model", "toy", "--threads", "1", "--lang", "de", "--out", out, "--progress", "none"}

	code, _, errOut := capture(t, append(m, "--mode", "regions", dir)...)
	if code != exitOK {
		t.Fatalf("--mode regions: exit %d: %s", code, errOut)
	}
	lines := journalLines(t, out)
	if len(lines) != 1 || !strings.Contains(lines[0], `"kind":"regions"`) || !strings.Contains(lines[0], "Ein gelbes Dreieck.") || !strings.Contains(lines[0], "Ein grüner Stern.") {
		t.Errorf("regions record: %s", lines)
	}
	// The toy was not trained to merge: keep its merged text.
	code, _, errOut = capture(t, append(m, "--mode", "dense", "--tile-mode", "region", "--txt", "--on-mismatch", "keep", dir)...)
	if code != exitOK {
		t.Fatalf("--mode dense: exit %d: %s", code, errOut)
	}
	if lines = journalLines(t, out); len(lines) != 2 || !strings.Contains(lines[1], `"kind":"dense"`) || !strings.Contains(lines[1], `"tiles"`) {
		t.Errorf("dense record: %s", lines[len(lines)-1])
	}
	if _, err := os.Stat(filepath.Join(dir, "scene.txt")); err != nil {
		t.Errorf("dense run wrote no .txt sidecar: %v", err)
	}
	code, _, errOut = capture(t, append(m, "--mode", "overwrite", dir)...)
	if code != exitOK || !strings.Contains(errOut, "--mode overwrite is now --existing overwrite") {
		t.Errorf("--mode overwrite: exit %d: %s", code, errOut)
	}
	code, _, errOut = capture(t, append(m, "--mode", "regions", "--xmp", dir)...)
	if code != exitUsage || !strings.Contains(errOut, "drop --xmp") {
		t.Errorf("--mode regions --xmp: exit %d: %s", code, errOut)
	}
	code, _, errOut = capture(t, append(m, "--mode", "sideways", dir)...)
	if code != exitUsage || !strings.Contains(errOut, "describe, regions or dense") {
		t.Errorf("--mode sideways: exit %d: %s", code, errOut)
	}
}
