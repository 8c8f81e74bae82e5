package llama

import (
	"context"
	"math"
	"testing"
)

// Score's log-probabilities equal the log-softmax of Logits at each step
// (a second context that appends the tokens one by one), and leave the
// sequence as Append would: the next Logits and Generate follow on.
func TestScoreMatchesLogits(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	ctx := context.Background()
	prompt := Prompt{Text: userPrompt(t, l.model, "x"), Images: []Image{testImage(32, 32, 8)}, AddSpecial: true}
	toks := []Token{5, 17, 42, 3, 99}

	c := newContext(t, l, ContextOptions{ContextSize: 512})
	if err := c.Append(ctx, 0, prompt); err != nil {
		t.Fatal(err)
	}
	got, err := c.Score(ctx, 0, toks)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(toks) {
		t.Fatalf("%d scores for %d tokens", len(got), len(toks))
	}

	ref := newContext(t, l, ContextOptions{ContextSize: 512})
	if err := ref.Append(ctx, 0, prompt); err != nil {
		t.Fatal(err)
	}
	for i, tok := range toks {
		lg, err := ref.Logits(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := logSoftmaxAt(lg, int(tok))
		if math.Abs(float64(got[i]-want)) > 1e-3 {
			t.Errorf("token %d: Score %.5f, Logits %.5f", i, got[i], want)
		}
		if got[i] > 0 {
			t.Errorf("token %d: log-probability %.5f above 0", i, got[i])
		}
		if err := ref.AppendTokens(0, []Token{tok}); err != nil {
			t.Fatal(err)
		}
	}
	// Both sequences now hold the same text: the next logits agree.
	a, err := c.Logits(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ref.Logits(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-2 {
			t.Fatalf("logits after Score differ at %d: %g vs %g", i, a[i], b[i])
		}
	}
	if _, err := c.Score(ctx, 0, []Token{Token(l.model.Metadata().VocabSize)}); err == nil {
		t.Error("a token outside the vocabulary was scored")
	}
}

// Forced tokens in batched generation score the same as Score, beside a
// sequence that samples in the same steps.
func TestForcedTokensMatchScore(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	ctx := context.Background()
	prompt := Prompt{Text: userPrompt(t, l.model, "x"), Images: []Image{testImage(32, 32, 8)}, AddSpecial: true}
	toks := []Token{5, 17, 42, 3, 99}
	c := newContext(t, l, ContextOptions{ContextSize: 1024, MaxSequences: 4})
	for seq := range 3 {
		if err := c.Append(ctx, seq, prompt); err != nil {
			t.Fatal(err)
		}
	}
	want, err := c.Score(ctx, 2, toks)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Generate(ctx, []GenerateRequest{{Seq: 0, Force: toks}, {Seq: 1, MaxTokens: 8}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out[0].LogProbs) != len(toks) || out[0].Reason != StopLength {
		t.Fatalf("forced: %d log-probabilities, stop %s", len(out[0].LogProbs), out[0].Reason)
	}
	for i := range toks {
		if out[0].Tokens[i] != toks[i] {
			t.Errorf("token %d: %d, forced %d", i, out[0].Tokens[i], toks[i])
		}
		if math.Abs(float64(out[0].LogProbs[i]-want[i])) > 1e-3 {
			t.Errorf("token %d: forced %.5f, Score %.5f", i, out[0].LogProbs[i], want[i])
		}
	}
	if len(out[1].Tokens) == 0 {
		t.Error("the sampling sequence beside it generated nothing")
	}
}
