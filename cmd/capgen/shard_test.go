package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Three shards of a folder, then journal merge: every image is captioned
// by exactly one shard and the merged journal has exactly one record per
// image. Merging again with a shard's journal twice counts duplicates; a
// path with two different results is reported as a conflict.
func TestShardsAndJournalMerge(t *testing.T) {
	data, err := os.ReadFile(scene(t))
	require.NoError(t, err)
	dir := t.TempDir()
	const n = 24
	for i := range n {
		b := append(append([]byte(nil), data...), byte(i)) // distinct contents
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("img%02d.png", i)), b, 0o644))
	}
	out := t.TempDir()
	var journals []string
	captioned := 0
	for k := range 3 {
		j := filepath.Join(out, fmt.Sprintf("shard-%d.jsonl", k))
		journals = append(journals, j)
		code, _, errOut := capture(t, "batch", "--model", "toy", "--threads", "1", "--lang", "de", "--shard", fmt.Sprintf("%d/3", k),
			"--out", j, "--progress", "json", dir)
		require.Equal(t, exitOK, code, errOut)
		var sum struct{ Images, Captioned int }
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &sum))
		assert.Equal(t, sum.Images, sum.Captioned)
		captioned += sum.Captioned
	}
	assert.Equal(t, n, captioned, "the shards together caption every image once")

	merged := filepath.Join(out, "merged.jsonl")
	code, _, errOut := capture(t, append([]string{"journal", "merge", "--out", merged}, journals...)...)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, fmt.Sprintf("%d records from 3 journals -> %d", n, n))
	files := map[string]int{}
	for _, line := range journalLines(t, merged) {
		var r struct {
			File     string
			Captions []struct{ Text string }
		}
		require.NoError(t, json.Unmarshal([]byte(line), &r))
		files[filepath.Base(r.File)]++
		require.Len(t, r.Captions, 1)
		assert.Equal(t, sceneDE, r.Captions[0].Text)
	}
	require.Len(t, files, n)
	for f, c := range files {
		assert.Equal(t, 1, c, f)
	}

	// A journal given twice: duplicates, not conflicts.
	again := filepath.Join(out, "again.jsonl")
	code, _, errOut = capture(t, "journal", "merge", "--out", again, journals[0], journals[0], journals[1], journals[2])
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "conflicts)")
	assert.Contains(t, errOut, " 0 conflicts")
	assert.NotContains(t, errOut, " 0 duplicates")

	// The same path with another content in a second run: a conflict.
	first := journalLines(t, journals[0])[0]
	var rec map[string]any
	require.NoError(t, json.Unmarshal([]byte(first), &rec))
	rec["key"] = strings.Repeat("0", 64)
	b, _ := json.Marshal(rec)
	other := filepath.Join(out, "other.jsonl")
	require.NoError(t, os.WriteFile(other, append(b, '\n'), 0o644))
	code, _, errOut = capture(t, "journal", "merge", "--out", filepath.Join(out, "c.jsonl"), journals[0], other)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "conflict: "+rec["file"].(string))

	code, _, errOut = capture(t, "batch", "--model", "toy", "--shard", "3/3", dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "0 <= K < N")
	code, _, _ = capture(t, "journal", "merge", "--out", merged, journals[0])
	assert.Equal(t, exitUsage, code, "an existing --out is refused")
}
