package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen/batch"
	"github.com/capgen/capgen/caption"
)

// The toy model (scene.png: a yellow triangle, a green star, a blue
// triangle) knows German but not Italian: its Italian answers mix English
// and French. These tests hold the command line to issue 13: a wrong
// language is never printed or written as the requested one, and the exit
// code says so.

const sceneDE = "Ein gelbes Dreieck oben links, ein grüner Stern unten links und ein blaues Dreieck unten rechts."

func TestDescribeMismatchExitCode(t *testing.T) {
	code, out, errOut := capture(t, "describe", "--model", "toy", "--threads", "1", "--lang", "de,it", scene(t))
	assert.Equal(t, exitSomeFailed, code, errOut)
	assert.Equal(t, "de: "+sceneDE+"\n", out, "only the German caption is printed")
	assert.Contains(t, errOut, "1 of 2 captions failed the language check")
	assert.Contains(t, errOut, "it: no Italian answer; direct English")

	// keep prints both and exits 0; warn says so on stderr.
	code, out, errOut = capture(t, "describe", "--model", "toy", "--threads", "1", "--lang", "de,it", "--on-mismatch", "keep", scene(t))
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "it: ")
	assert.NotContains(t, errOut, "reads as")
	code, _, errOut = capture(t, "describe", "--model", "toy", "--threads", "1", "--lang", "it", "--on-mismatch", "warn", scene(t))
	assert.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "warning: the it caption reads as")

	code, _, errOut = capture(t, "describe", "--model", "toy", "--lang", "it", "--on-mismatch", "never", scene(t))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "--on-mismatch")
}

// --strategy auto reaches its pivot for a language the toy does not know:
// the pivot caption is in the JSON next to the failed translation, and
// the exit code is 3.
func TestDescribeAutoPivotJSON(t *testing.T) {
	code, out, errOut := capture(t, "describe", "--model", "toy", "--threads", "1", "--lang", "it", "--strategy", "auto", "--format", "json", scene(t))
	assert.Equal(t, exitSomeFailed, code, errOut)
	var res caption.Result
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	c := res.Captions[0]
	assert.Equal(t, caption.StatusFailed, c.Status)
	assert.Empty(t, c.Text)
	require.NotNil(t, c.Pivot)
	assert.Equal(t, "A yellow triangle at the top left, a green star at the bottom left and a blue triangle at the bottom right.", c.Pivot.Text)
	var st []string
	for _, a := range c.Attempts {
		st = append(st, a.Step)
	}
	assert.Equal(t, []string{"direct", "strict", "pivot", "translate", "translate-strict"}, st)
}

// batch: a failed language is not written into the XMP sidecar, the image
// is partial in the summary, the progress events and the journal, and the
// next run redoes it. With --on-mismatch keep (the check's verdict
// ignored) the same run writes the wrong-language entry: the control that
// shows the test would notice.
func TestBatchMismatchNotWritten(t *testing.T) {
	exiftool, err := exec.LookPath("exiftool")
	require.NoError(t, err, "install libimage-exiftool-perl (scripts/deps.sh does)")
	data, err := os.ReadFile(scene(t))
	require.NoError(t, err)
	for _, policy := range []string{"retry", "keep"} {
		dir := t.TempDir()
		img := filepath.Join(dir, "scene.png")
		require.NoError(t, os.WriteFile(img, data, 0o644))
		journal := filepath.Join(t.TempDir(), "captions.jsonl")
		args := []string{"batch", "--model", "toy", "--threads", "1", "--lang", "de,it", "--xmp", "--txt",
			"--on-mismatch", policy, "--out", journal, "--progress", "json", dir}
		code, _, errOut := capture(t, args...)
		read := func(lang string) string {
			got, err := exec.Command(exiftool, "-s3", "-XMP-dc:Description-"+lang, img+".xmp").Output()
			require.NoError(t, err)
			return strings.TrimSpace(string(got))
		}
		assert.Equal(t, sceneDE, read("de"), policy)
		if policy == "keep" {
			assert.Equal(t, exitOK, code, errOut)
			assert.NotEmpty(t, read("it"), "keep writes the mismatch")
			continue
		}
		assert.Equal(t, exitSomeFailed, code, errOut)
		assert.Empty(t, read("it"), "a failed caption is not written")
		assert.Contains(t, errOut, `"status":"partial"`)
		assert.Contains(t, errOut, `"captioned":0,"partial":1,"failed":0`)
		lines := journalLines(t, journal)
		require.Len(t, lines, 1)
		var rec batch.Record
		require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec))
		assert.Equal(t, batch.StatusPartial, rec.Status)
		require.Len(t, rec.Captions, 2)
		assert.Equal(t, caption.StatusFailed, rec.Captions[1].Status)
		assert.NotEmpty(t, rec.Captions[1].Attempts)

		// The next run redoes the partial image instead of skipping it.
		code, _, errOut = capture(t, args...)
		assert.Equal(t, exitSomeFailed, code, errOut)
		assert.Contains(t, errOut, `"captioned":0,"partial":1,"failed":0,"skipped":0`)
		assert.Len(t, journalLines(t, journal), 2)
	}
}

// The languages a model claims: describe warns once about a language
// outside them, models list marks English-only pairs, and models info
// answers for a language.
func TestModelLanguageClaims(t *testing.T) {
	_, _, errOut := capture(t, "describe", "--model", "toy", "--threads", "1", "--lang", "de,it,ko", "--on-mismatch", "keep", scene(t))
	assert.Equal(t, 1, strings.Count(errOut, "warning: toy claims"), errOut)
	assert.Contains(t, errOut, "it, ko are not among them")
	_, _, errOut = capture(t, "describe", "--model", "toy", "--threads", "1", "--lang", "de,sw", scene(t))
	assert.NotContains(t, errOut, "claims")

	code, out, _ := capture(t, "models", "list")
	require.Equal(t, exitOK, code)
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "smolvlm"):
			assert.Contains(t, line, "English only")
		case strings.HasPrefix(line, "qwen"), strings.HasPrefix(line, "gemma"):
			assert.Contains(t, line, "multilingual")
		}
	}
	code, out, _ = capture(t, "models", "info", "--lang", "de,sw", "smolvlm-256m")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "de (German): not claimed (the card claims English only)")
	code, out, _ = capture(t, "models", "info", "--lang", "de,sw", "qwen2.5-vl-3b")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "de (German): named by the model card")
	assert.Contains(t, out, "sw (Swahili): not named, but the card claims more languages")
}

// describe --ground adds each caption's grounding to the JSON.
func TestDescribeGround(t *testing.T) {
	code, out, errOut := capture(t, "describe", "--model", "toy", "--threads", "1", "--lang", "en,de", "--ground", "--format", "json", scene(t))
	require.Equal(t, exitOK, code, errOut)
	var res caption.Result
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Len(t, res.Captions, 2)
	for _, c := range res.Captions {
		g := c.Grounding
		require.NotNil(t, g, c.Language.Tag)
		require.Len(t, g.Sentences, 1, c.Language.Tag)
		assert.True(t, g.Sentences[0].Grounded, "%s: %+v", c.Language.Tag, g.Sentences[0])
		assert.Positive(t, g.Gain, c.Language.Tag)
	}
}

// batch --ground: each journal caption has its grounding, and the summary
// (plain and NDJSON) the run's reference-free quality.
func TestBatchGroundQuality(t *testing.T) {
	dir, _ := toyRefSet(t, 3)
	journal := filepath.Join(t.TempDir(), "g.jsonl")
	code, _, errOut := capture(t, "batch", "--model", "toy", "--threads", "1", "--lang", "en,de", "--ground", "--out", journal, "--progress", "json", dir)
	require.Equal(t, exitOK, code, errOut)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	var sum struct {
		Quality struct {
			Captions      int
			LanguageMatch float64 `json:"language_match"`
			MeanGain      float64 `json:"mean_gain"`
			Sentences     int
			Flagged       int
		}
	}
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &sum))
	q := sum.Quality
	assert.Equal(t, 6, q.Captions)
	assert.Equal(t, 1.0, q.LanguageMatch)
	assert.Equal(t, 6, q.Sentences)
	assert.Positive(t, q.MeanGain)
	for _, line := range journalLines(t, journal) {
		var rec batch.Record
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		for _, c := range rec.Captions {
			require.NotNil(t, c.Grounding, "%s %s", rec.File, c.Language.Tag)
		}
	}
	code, _, errOut = capture(t, "batch", "--model", "toy", "--threads", "1", "--lang", "en", "--ground", "--existing", "overwrite", "--out", journal, dir)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, errOut, "quality: 100% of 3 captions in the requested language; grounding: mean gain")
}
