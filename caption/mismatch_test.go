package caption_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/toy/scene"
	"github.com/capgen/capgen/vision"
)

// The toy model knows ten languages; Italian is not one of them, so its
// answers to an Italian prompt fail the language check (English and
// French mixed), which makes it the test bed of the mismatch policies.

func describeToy(t *testing.T, e *caption.Engine, req caption.Request) *caption.Result {
	t.Helper()
	req.Image = renderToy(toyScene(), 640, 480, 21)
	res, err := e.Describe(context.Background(), &req)
	require.NoError(t, err)
	return res
}

func langs(t *testing.T, list string) []caption.Language {
	t.Helper()
	l, err := caption.ParseLanguages(list)
	require.NoError(t, err)
	return l
}

func steps(c caption.Caption) []string {
	var s []string
	for _, a := range c.Attempts {
		s = append(s, a.Step)
	}
	return s
}

// retry (the default): the strict prompt is tried, then the caption
// fails with no text; the language the toy knows is untouched.
func TestMismatchRetryFails(t *testing.T) {
	e := toyEngine(t, nil)
	res := describeToy(t, e, caption.Request{Languages: langs(t, "de,it")})
	de, it := res.Captions[0], res.Captions[1]
	want, err := scene.Caption(toyScene(), "de")
	require.NoError(t, err)
	assert.Equal(t, caption.StatusOK, de.Status)
	assert.Equal(t, want, de.Text)
	assert.Equal(t, []string{"direct"}, steps(de))

	assert.Equal(t, caption.StatusFailed, it.Status, "%+v", it)
	assert.True(t, it.Failed())
	assert.Empty(t, it.Text, "a failed caption carries no text")
	assert.Equal(t, []string{"direct", "strict"}, steps(it))
	for _, a := range it.Attempts {
		assert.NotEmpty(t, a.Text)
		assert.False(t, a.Detected.Match, "%s attempt %q", a.Step, a.Text)
		assert.NotEqual(t, "it", a.Detected.Lang.Tag)
	}
	assert.Equal(t, 1, res.Failed())
}

// warn retries and keeps the last answer; keep keeps the first without a
// retry; fail fails at once.
func TestMismatchPolicies(t *testing.T) {
	e := toyEngine(t, nil)
	for _, tt := range []struct {
		policy caption.OnMismatch
		status caption.Status
		steps  []string
	}{
		{caption.MismatchWarn, caption.StatusMismatch, []string{"direct", "strict"}},
		{caption.MismatchKeep, caption.StatusMismatch, []string{"direct"}},
		{caption.MismatchFail, caption.StatusFailed, []string{"direct"}},
	} {
		c := describeToy(t, e, caption.Request{Languages: langs(t, "it"), OnMismatch: tt.policy}).Captions[0]
		assert.Equal(t, tt.status, c.Status, "%s", tt.policy)
		assert.Equal(t, tt.steps, steps(c), "%s", tt.policy)
		if tt.status == caption.StatusMismatch {
			assert.Equal(t, c.Attempts[len(c.Attempts)-1].Text, c.Text, "%s keeps the last answer", tt.policy)
			assert.False(t, c.Detected.Match)
		} else {
			assert.Empty(t, c.Text)
		}
	}
	_, err := e.Describe(context.Background(), &caption.Request{Image: renderToy(toyScene(), 64, 48, 1), OnMismatch: "sometimes"})
	assert.ErrorIs(t, err, caption.ErrBadRequest)
}

// auto goes through the pivot once the direct and strict answers fail:
// the pivot caption (the toy's English, which is right) is reported next
// to the translation, the translation is checked and retried, and as the
// toy cannot translate, the caption fails instead of passing English off
// as Italian.
func TestMismatchAutoPivotTellsTheTruth(t *testing.T) {
	e := toyEngine(t, nil)
	for _, strategy := range []caption.Strategy{caption.Auto, caption.Pivot} {
		c := describeToy(t, e, caption.Request{Languages: langs(t, "it"), Strategy: strategy}).Captions[0]
		wantSteps := []string{"direct", "strict", "pivot", "translate", "translate-strict"}
		if strategy == caption.Pivot {
			wantSteps = wantSteps[2:]
		}
		assert.Equal(t, wantSteps, steps(c), "%s", strategy)
		en, err := scene.Caption(toyScene(), "en")
		require.NoError(t, err)
		require.NotNil(t, c.Pivot, "%s: the pivot caption is reported", strategy)
		assert.Equal(t, "en", c.Pivot.Language.Tag)
		assert.Equal(t, en, c.Pivot.Text)
		assert.True(t, c.Pivot.Detected.Match)
		assert.True(t, c.Pivoted)
		assert.Equal(t, caption.StatusFailed, c.Status, "%s: an untranslated caption is a failure: %+v", strategy, c.Attempts)
		assert.Empty(t, c.Text)
		for _, a := range c.Attempts[len(c.Attempts)-2:] {
			assert.Equal(t, "it", a.Language.Tag)
			assert.False(t, a.Detected.Match, "translation %q", a.Text)
		}
	}
	// --pivot-lang: the pivot caption is in that language.
	c := describeToy(t, e, caption.Request{Languages: langs(t, "it"), Strategy: caption.Pivot,
		PivotLanguage: caption.MustLookupLanguage("de")}).Captions[0]
	de, err := scene.Caption(toyScene(), "de")
	require.NoError(t, err)
	require.NotNil(t, c.Pivot)
	assert.Equal(t, de, c.Pivot.Text)
}

// Regions and dense settle their captions under the policy too. Region
// captions are too short for the identifier (under four words), so the
// region asks for Korean, which the toy cannot write: the script check
// catches any length.
func TestMismatchRegionsAndDense(t *testing.T) {
	e := toyEngine(t, nil)
	img := renderToy(toyScene(), 600, 480, 8)
	reg, err := e.Regions(context.Background(), &caption.RegionsRequest{Image: img, Boxes: []vision.Box{{X0: 0, Y0: 0, X1: 300, Y1: 240}},
		Languages: langs(t, "de,ko")})
	require.NoError(t, err)
	require.Len(t, reg.Regions[0].Captions, 2)
	assert.Equal(t, caption.StatusOK, reg.Regions[0].Captions[0].Status)
	assert.Equal(t, caption.StatusFailed, reg.Regions[0].Captions[1].Status, "%+v", reg.Regions[0].Captions[1].Attempts)
	assert.Equal(t, 1, reg.Failed())

	d, err := e.Dense(context.Background(), &caption.DenseRequest{Image: img, Languages: langs(t, "ko"), OnMismatch: caption.MismatchFail})
	require.NoError(t, err)
	assert.Equal(t, caption.StatusFailed, d.Merged[0].Status)
	assert.Positive(t, d.Failed())
}
