package main

import (
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen/internal/testmodels"
	toyscene "github.com/capgen/capgen/toy/scene"
)

// toyRefSet draws n toy scenes into dir and writes XM3600-style
// references: each scene's canonical caption in en, de and sw.
func toyRefSet(t *testing.T, n int) (dir, refs string) {
	t.Helper()
	dir = t.TempDir()
	rng := toyscene.NewRand(11)
	var lines []string
	for i := range n {
		s := toyscene.Random(rng, nil)
		key := fmt.Sprintf("scene%02d", i)
		f, err := os.Create(filepath.Join(dir, key+".png"))
		require.NoError(t, err)
		require.NoError(t, png.Encode(f, toyscene.Render(s, 480, 360, rng, nil)))
		f.Close()
		rec := map[string]any{"image/key": key}
		for _, l := range []string{"en", "de", "sw"} {
			c, err := toyscene.Caption(s, l)
			require.NoError(t, err)
			rec[l] = map[string]any{"caption": []string{c}}
		}
		b, _ := json.Marshal(rec)
		lines = append(lines, string(b))
	}
	refs = filepath.Join(t.TempDir(), "refs.jsonl")
	require.NoError(t, os.WriteFile(refs, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	return dir, refs
}

type evalScores struct {
	Scores []struct {
		Model, Language string
		Images          int
		BLEU            float64 `json:"bleu4"`
		ChrF            float64 `json:"chrf_pp"`
		CIDEr           float64 `json:"cider_d"`
		LangMatch       float64 `json:"language_match"`
	}
}

// capgen eval compares two model pairs on a toy reference set: the toy,
// which captions its scenes as the references do, scores near the top in
// every language; a random-weight pair scores near the bottom and fails
// the language check. The captions of a journal score the same without a
// model, and the plot is an SVG.
func TestEvalComparesModels(t *testing.T) {
	dir, refs := toyRefSet(t, 6)
	tiny := testmodels.Tiny(t, "tiny-llava")
	plot := filepath.Join(t.TempDir(), "chrf.svg")
	code, out, errOut := capture(t, "eval", "--model", "toy", "--model", tiny.Model, "--mmproj", tiny.MMProj, "--threads", "1",
		"--max-tokens", "40", "--refs", refs, "--format", "json", "--plot", plot, dir)
	require.Equal(t, exitOK, code, errOut)
	var res evalScores
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Len(t, res.Scores, 6, "2 models x 3 languages")
	for _, s := range res.Scores {
		assert.Equal(t, 6, s.Images, "%s %s", s.Model, s.Language)
		if s.Model == "toy" {
			assert.Greater(t, s.ChrF, 90.0, "toy %s", s.Language)
			assert.Greater(t, s.BLEU, 80.0, "toy %s", s.Language)
			assert.Greater(t, s.CIDEr, 5.0, "toy %s", s.Language)
			assert.Equal(t, 1.0, s.LangMatch, "toy %s", s.Language)
		} else {
			assert.Less(t, s.ChrF, 30.0, "random %s", s.Language)
			assert.Less(t, s.CIDEr, 1.0, "random %s", s.Language)
		}
	}
	svg, err := os.ReadFile(plot)
	require.NoError(t, err)
	assert.Contains(t, string(svg), "<svg")
	assert.Equal(t, 6, strings.Count(string(svg), "<rect x=")-2, "a bar per model and language (+2 legend boxes)")

	// The same captions from a journal: no model needed.
	journal := filepath.Join(t.TempDir(), "toy.jsonl")
	code, _, errOut = capture(t, "batch", "--model", "toy", "--threads", "1", "--lang", "en,de,sw", "--out", journal, "--progress", "none", dir)
	require.Equal(t, exitOK, code, errOut)
	code, out, errOut = capture(t, "eval", "--captions", "toy="+journal, "--refs", refs, "--format", "markdown")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "| model | language |")
	assert.Contains(t, out, "| toy | de | 6 |")

	code, _, errOut = capture(t, "eval", "--refs", refs, dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--model")
}
