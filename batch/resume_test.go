package batch_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen/batch"
	"github.com/capgen/capgen/sidecar"
)

// Every path gets its outputs: copies of one image are captioned once in a
// run and each gets its sidecar and journal record; a moved collection
// gets its sidecars from the journal without the model; a rerun skips
// each path that is done.
func TestEveryPathGetsItsOutputs(t *testing.T) {
	e := toyEngine(t)
	dir, paths := scenes(t, 2) // two different images
	data, err := os.ReadFile(paths[0])
	require.NoError(t, err)
	for _, name := range []string{"copy1.png", "copy2.png"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	all, err := batch.Collect([]string{dir}, nil)
	require.NoError(t, err)
	require.Len(t, all, 4)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	statuses := map[batch.Status]int{}
	opt := &batch.Options{Request: request(t, "de"), Journal: journal, Text: true,
		OnEvent: func(ev batch.Event) { statuses[ev.Status]++ }}

	sum, err := batch.Run(context.Background(), e, all, opt)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Captioned, "two contents")
	assert.Equal(t, 2, sum.Reused, "the two copies")
	assert.Equal(t, map[batch.Status]int{batch.StatusOK: 2, batch.StatusReused: 2}, statuses)
	for _, p := range all {
		txt, err := os.ReadFile(sidecar.TextPath(p, nil))
		require.NoError(t, err, p)
		if filepath.Base(p) != filepath.Base(paths[1]) {
			assert.Equal(t, sceneDE, string(txt), p)
		}
	}
	lines := 0
	_, err = sidecar.ScanJournal(journal, func(string, json.RawMessage) { lines++ })
	require.NoError(t, err)
	assert.Equal(t, 4, lines, "one record per path")

	// The collection moved: its sidecars come from the journal.
	moved := t.TempDir()
	for _, p := range all {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(moved, filepath.Base(p)), b, 0o644))
	}
	movedPaths, err := batch.Collect([]string{moved}, nil)
	require.NoError(t, err)
	sum, err = batch.Run(context.Background(), e, movedPaths, opt)
	require.NoError(t, err)
	assert.Equal(t, batch.Summary{Images: 4, Reused: 4, Elapsed: sum.Elapsed}, sum, "no captioning, no tokens")
	for _, p := range movedPaths {
		_, err := os.Stat(sidecar.TextPath(p, nil))
		assert.NoError(t, err, p)
	}

	// Both folders again: every path is done.
	sum, err = batch.Run(context.Background(), e, append(all, movedPaths...), opt)
	require.NoError(t, err)
	assert.Equal(t, 8, sum.Skipped)
}

// Two images whose sidecars would have one name are refused before any
// work, naming both; keeping the extension in XMP names keeps them apart.
func TestSidecarCollisions(t *testing.T) {
	dir := t.TempDir()
	png, jpg := filepath.Join(dir, "IMG.png"), filepath.Join(dir, "IMG.jpg")
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	err := batch.Check([]string{png, jpg}, &batch.Options{Journal: journal, Text: true})
	require.ErrorIs(t, err, batch.ErrInput)
	assert.ErrorContains(t, err, filepath.Join(dir, "IMG.txt")+" from "+png+" and "+jpg)
	err = batch.Check([]string{png, jpg}, &batch.Options{Journal: journal, XMP: true, XMPReplaceExtension: true})
	assert.ErrorContains(t, err, filepath.Join(dir, "IMG.xmp"))
	assert.NoError(t, batch.Check([]string{png, jpg}, &batch.Options{Journal: journal, XMP: true}), "IMG.png.xmp and IMG.jpg.xmp")
}

// A journal writer instead of a file: the records go there as JSON
// Lines, nothing is read back (so nothing is skipped), and giving both or
// neither is an input error.
func TestJournalWriter(t *testing.T) {
	e := toyEngine(t)
	_, paths := scenes(t, 2)
	var out strings.Builder
	for range 2 {
		out.Reset()
		sum, err := batch.Run(context.Background(), e, paths, &batch.Options{Request: request(t, "de"), JournalTo: &out})
		require.NoError(t, err)
		assert.Equal(t, 2, sum.Captioned)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		require.Len(t, lines, 2)
		var rec batch.Record
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
		assert.Equal(t, sceneDE, rec.Captions[0].Text)
	}
	err := batch.Check(paths, &batch.Options{Journal: "j.jsonl", JournalTo: &out})
	assert.ErrorIs(t, err, batch.ErrInput)
	assert.ErrorIs(t, batch.Check(paths, &batch.Options{}), batch.ErrInput)
}

// A journal written for some languages does not make an image done for
// others: --lang de, then de,sw redoes the image, then sw alone is done.
func TestResumeCoversTheRequestedLanguages(t *testing.T) {
	e := toyEngine(t)
	_, paths := scenes(t, 1)
	journal := filepath.Join(t.TempDir(), "j.jsonl")
	for _, step := range []struct {
		langs              string
		captioned, skipped int
	}{{"de", 1, 0}, {"de,sw", 1, 0}, {"sw", 0, 1}, {"de", 0, 1}} {
		sum, err := batch.Run(context.Background(), e, paths, &batch.Options{Request: request(t, step.langs), Journal: journal})
		require.NoError(t, err)
		assert.Equal(t, step.captioned, sum.Captioned, "--lang %s", step.langs)
		assert.Equal(t, step.skipped, sum.Skipped, "--lang %s", step.langs)
	}
}
