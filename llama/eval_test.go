package llama

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// describe appends an image prompt to seq 0 of c and generates greedily.
func describe(t *testing.T, c *Context, img Image, instruction string, maxTokens int) Completion {
	t.Helper()
	ctx := context.Background()
	p := Prompt{Text: userPrompt(t, c.Model(), instruction), Images: []Image{img}, AddSpecial: true}
	if err := c.Append(ctx, 0, p); err != nil {
		t.Fatal(err)
	}
	out, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: maxTokens}})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

func TestImageEvaluationEveryFamily(t *testing.T) {
	for _, fam := range families {
		t.Run(fam, func(t *testing.T) {
			l := loadPair(t, fam)
			c := newContext(t, l, ContextOptions{ContextSize: 1024})
			img := testImage(80, 48, 3)
			nTok, nPos, err := l.proj.ImageTokens(img.Width, img.Height)
			if err != nil {
				t.Fatal(err)
			}
			if nTok <= 0 || nPos <= 0 || nPos > nTok {
				t.Fatalf("ImageTokens = %d tokens, %d positions", nTok, nPos)
			}
			got := describe(t, c, img, "Describe the image.", 8)
			st := c.Stats()
			if st.ImageEncodes == 0 || st.ImageTokens == 0 || st.ImageTokens > nTok {
				t.Errorf("stats %+v, image takes %d tokens", st, nTok)
			}
			if len(got.Tokens) == 0 && got.Reason != StopEnd {
				t.Errorf("nothing generated: %+v", got)
			}
			if got.Reason != StopLength && got.Reason != StopEnd {
				t.Errorf("reason %q", got.Reason)
			}
			// Positions: M-RoPE images advance by their larger grid side, not
			// by their token count.
			pos, _ := c.Position(0)
			if pos <= nPos {
				t.Errorf("position %d after an image of %d positions", pos, nPos)
			}
			// The same image and prompt in a fresh context give the same text:
			// the evaluation is deterministic.
			c2 := newContext(t, l, ContextOptions{ContextSize: 1024})
			if again := describe(t, c2, img, "Describe the image.", 8); !slices.Equal(again.Tokens, got.Tokens) {
				t.Errorf("second run %v, first %v", again.Tokens, got.Tokens)
			}
		})
	}
}

// The image must reach the model: another image gives other logits. With
// random weights the text may still coincide, so the test compares the
// greedy continuations of several images.
func TestImageChangesOutput(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	seen := map[string]bool{}
	for seed := range uint64(4) {
		c := newContext(t, l, ContextOptions{ContextSize: 512})
		got := describe(t, c, testImage(64, 64, seed*7+1), "Describe.", 12)
		seen[fmt.Sprint(got.Tokens)] = true
	}
	if len(seen) < 2 {
		t.Errorf("four different images gave the same %d-token output", 12)
	}
}

// N sequences forked from one image prefix and decoded together give the
// same greedy tokens as each decoded alone, and the image is encoded once.
func TestBatchedEqualsSequential(t *testing.T) {
	for _, fam := range []string{"tiny-llava", "tiny-qwen25vl", "tiny-gemma3", "tiny-smolvlm"} {
		t.Run(fam, func(t *testing.T) {
			l := loadPair(t, fam)
			ctx := context.Background()
			img := testImage(72, 40, 11)
			full := userPrompt(t, l.model, "Describe the image in LANG.")
			cut := strings.Index(full, "LANG")
			prefix, tail := full[:cut], full[cut+len("LANG"):]
			langs := []string{"German", "French", "Japanese", "Swahili"}

			c := newContext(t, l, ContextOptions{ContextSize: 2048, MaxSequences: len(langs)})
			if err := c.Append(ctx, 0, Prompt{Text: prefix, Images: []Image{img}, AddSpecial: true}); err != nil {
				t.Fatal(err)
			}
			for i := 1; i < len(langs); i++ {
				if err := c.CopySequence(0, i); err != nil {
					t.Fatal(err)
				}
			}
			var reqs []GenerateRequest
			for i, lang := range langs {
				if err := c.Append(ctx, i, Prompt{Text: lang + tail}); err != nil {
					t.Fatal(err)
				}
				reqs = append(reqs, GenerateRequest{Seq: i, MaxTokens: 10})
			}
			decodesBefore := c.Stats().Decodes
			together, err := c.Generate(ctx, reqs)
			if err != nil {
				t.Fatal(err)
			}
			st := c.Stats()
			// An image may be several slices (SmolVLM tiles); each is
			// encoded once however many sequences share it.
			if one, _, _ := l.proj.ImageTokens(img.Width, img.Height); st.ImageTokens > one || st.ImageEncodes == 0 {
				t.Errorf("%d image embeddings decoded (%d encodes) for %d sequences; one image takes %d", st.ImageTokens, st.ImageEncodes, len(langs), one)
			}
			maxLen := 0
			for _, r := range together {
				maxLen = max(maxLen, len(r.Tokens))
			}
			// One llama_decode per step for all sequences (+1 for a step that
			// only sampled end tokens).
			if steps := st.Decodes - decodesBefore; steps > maxLen+1 {
				t.Errorf("%d decodes for %d steps: sequences were not decoded together", steps, maxLen)
			}

			for i, lang := range langs {
				alone := newContext(t, l, ContextOptions{ContextSize: 2048})
				if err := alone.Append(ctx, 0, Prompt{Text: prefix, Images: []Image{img}, AddSpecial: true}); err != nil {
					t.Fatal(err)
				}
				if err := alone.Append(ctx, 0, Prompt{Text: lang + tail}); err != nil {
					t.Fatal(err)
				}
				out, err := alone.Generate(ctx, []GenerateRequest{{MaxTokens: 10}})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(out[0].Tokens, together[i].Tokens) {
					t.Errorf("%s: alone %v, together %v", lang, out[0].Tokens, together[i].Tokens)
				}
			}
		})
	}
}

func TestEmbeddingCache(t *testing.T) {
	l := loadPair(t, "tiny-smolvlm")
	cache := NewLRUCache(64 << 20)
	c := newContext(t, l, ContextOptions{ContextSize: 2048, Cache: cache})
	img := testImage(90, 60, 5)
	first := describe(t, c, img, "Describe.", 6)
	encodes := c.Stats().ImageEncodes
	if encodes == 0 {
		t.Fatal("no encode")
	}
	if err := c.Clear(); err != nil {
		t.Fatal(err)
	}
	second := describe(t, c, img, "Describe.", 6)
	st := c.Stats()
	if st.ImageEncodes != encodes || st.ImageCacheHits != encodes {
		t.Errorf("second pass: %d encodes (first %d), %d cache hits", st.ImageEncodes, encodes, st.ImageCacheHits)
	}
	if !slices.Equal(first.Tokens, second.Tokens) {
		t.Errorf("cached embeddings changed the output: %v vs %v", first.Tokens, second.Tokens)
	}
	hits, _, bytes := cache.Stats()
	if hits != int64(encodes) || bytes == 0 {
		t.Errorf("cache stats hits=%d bytes=%d", hits, bytes)
	}
}

func TestStopStringsAndStreaming(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	img := testImage(32, 32, 2)
	base := describe(t, newContext(t, l, ContextOptions{ContextSize: 512}), img, "Go.", 24)
	// A stop string of two ASCII letters from the middle of the output.
	stop := ""
	for i := 2; i+2 <= len(base.Text); i++ {
		if isLetter(base.Text[i]) && isLetter(base.Text[i+1]) {
			stop = base.Text[i : i+2]
			break
		}
	}
	if stop == "" {
		t.Skipf("random model produced no two ASCII letters in %q", base.Text)
	}
	want := base.Text[:strings.Index(base.Text, stop)]

	c := newContext(t, l, ContextOptions{ContextSize: 512})
	ctx := context.Background()
	if err := c.Append(ctx, 0, Prompt{Text: userPrompt(t, l.model, "Go."), Images: []Image{img}, AddSpecial: true}); err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	out, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: 24, Stop: []string{stop}, OnText: func(p string) bool {
		streamed.WriteString(p)
		return true
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Reason != StopString || out[0].Text != want {
		t.Errorf("with stop %q: %q (%s), want %q", stop, out[0].Text, out[0].Reason, want)
	}
	if streamed.String() != out[0].Text {
		t.Errorf("streamed %q, text %q", streamed.String(), out[0].Text)
	}
}

func TestCallerStopsAndMaxTokens(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	c := newContext(t, l, ContextOptions{ContextSize: 512})
	ctx := context.Background()
	if err := c.Append(ctx, 0, Prompt{Text: userPrompt(t, l.model, "x"), Images: []Image{testImage(32, 32, 9)}}); err != nil {
		t.Fatal(err)
	}
	calls := 0
	out, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: 50, OnText: func(string) bool { calls++; return calls < 2 }}})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Reason != StopCaller && out[0].Reason != StopEnd {
		t.Errorf("reason %q after OnText returned false", out[0].Reason)
	}
	if out[0].Reason == StopCaller && len(out[0].Tokens) >= 50 {
		t.Errorf("generation went on after OnText returned false")
	}
}

func TestGenerateCancelled(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	c := newContext(t, l, ContextOptions{ContextSize: 512})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := c.Append(ctx, 0, Prompt{Text: userPrompt(t, l.model, "x"), Images: []Image{testImage(32, 32, 4)}}); err != nil {
		t.Fatal(err)
	}
	n := 0
	_, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: 200, OnText: func(string) bool {
		n++
		if n == 2 {
			cancel()
		}
		return true
	}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if pos, _ := c.Position(0); pos != 0 {
		t.Errorf("a cancelled sequence keeps position %d, want it emptied", pos)
	}
	// The context stays usable.
	if err := c.Append(context.Background(), 0, Prompt{Text: userPrompt(t, l.model, "x"), Images: []Image{testImage(32, 32, 4)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Generate(context.Background(), []GenerateRequest{{MaxTokens: 3}}); err != nil {
		t.Fatal(err)
	}
}

// A decode cancelled from another goroutine while it runs stops through
// ggml's abort callback or between batches; either way the error says so.
func TestAppendCancelledDuringDecode(t *testing.T) {
	l := loadPair(t, "tiny-gemma3")
	c := newContext(t, l, ContextOptions{ContextSize: 8192, BatchSize: 2048})
	long := strings.Repeat("the quick brown fox jumps over the lazy dog ", 150)
	ctx, cancel := context.WithCancel(context.Background())
	if err := c.Append(ctx, 0, Prompt{Text: long}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: 1000}})
		done <- err
	}()
	cancel()
	err := <-done
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want nil (finished first) or context.Canceled", err)
	}
}

func TestAppendErrors(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	ctx := context.Background()
	c := newContext(t, l, ContextOptions{ContextSize: 128, MaxSequences: 2})
	img := testImage(32, 32, 1)
	cases := []struct {
		name string
		seq  int
		p    Prompt
		want error
	}{
		{"seq out of range", 2, Prompt{Text: "x"}, ErrInvalidArgument},
		{"negative seq", -1, Prompt{Text: "x"}, ErrInvalidArgument},
		{"marker without image", 0, Prompt{Text: MediaMarker() + "x"}, ErrInvalidArgument},
		{"image without marker", 0, Prompt{Text: "x", Images: []Image{img}}, ErrInvalidArgument},
		{"short pixels", 0, Prompt{Text: MediaMarker(), Images: []Image{{RGB: make([]byte, 10), Width: 32, Height: 32}}}, ErrInvalidArgument},
		{"zero size", 0, Prompt{Text: MediaMarker(), Images: []Image{{Width: 0, Height: 5}}}, ErrInvalidArgument},
		{"huge side", 0, Prompt{Text: MediaMarker(), Images: []Image{{Width: MaxImageSide + 1, Height: 1}}}, ErrInvalidArgument},
		{"longer than context", 0, Prompt{Text: strings.Repeat("word ", 400)}, ErrContextFull},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Append(ctx, tc.seq, tc.p)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			var le *Error
			if !errors.As(err, &le) || le.Op != "Context.Append" {
				t.Errorf("err %#v does not name Context.Append", err)
			}
		})
	}
	textOnly, err := NewContext(l.model, &ContextOptions{ContextSize: 128})
	if err != nil {
		t.Fatal(err)
	}
	defer textOnly.Close()
	if err := textOnly.Append(ctx, 0, Prompt{Text: MediaMarker(), Images: []Image{img}}); !errors.Is(err, ErrNoVision) {
		t.Errorf("image in text-only context: %v, want ErrNoVision", err)
	}
	if _, err := c.Generate(ctx, []GenerateRequest{{Seq: 1}}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Generate with nothing pending: %v", err)
	}
	if err := c.Append(ctx, 1, Prompt{Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []GenerateRequest{
		{Seq: 1, Sampling: Sampling{Temperature: -1}},
		{Seq: 1, Sampling: Sampling{TopP: 2}},
		{Seq: 1, MaxTokens: -1},
		{Seq: 1, Stop: []string{""}},
	} {
		if _, err := c.Generate(ctx, []GenerateRequest{bad}); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Generate(%+v): %v, want ErrInvalidArgument", bad, err)
		}
	}
	if _, err := c.Generate(ctx, []GenerateRequest{{Seq: 1}, {Seq: 1}}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("same sequence twice: %v", err)
	}
}

func TestContextFullDuringGeneration(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	c := newContext(t, l, ContextOptions{ContextSize: 64})
	ctx := context.Background()
	if err := c.Append(ctx, 0, Prompt{Text: strings.Repeat("a ", 20), AddSpecial: true}); err != nil {
		t.Fatal(err)
	}
	out, err := c.Generate(ctx, []GenerateRequest{{}})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Reason != StopContext && out[0].Reason != StopEnd {
		t.Errorf("reason %q, want context (or end)", out[0].Reason)
	}
	if c.Used() > c.Size() {
		t.Errorf("used %d of %d cells", c.Used(), c.Size())
	}
}

func TestLongPromptSplitsByBatch(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	c := newContext(t, l, ContextOptions{ContextSize: 1024, BatchSize: 16})
	ctx := context.Background()
	text := strings.Repeat("many words here ", 40)
	toks, err := l.model.Tokenize(text, TokenizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Append(ctx, 0, Prompt{Text: MediaMarker() + text, Images: []Image{testImage(32, 32, 1)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: 2}}); err != nil {
		t.Fatal(err)
	}
	if d := c.Stats().Decodes; d < len(toks)/16 {
		t.Errorf("%d decodes for %d prompt tokens at batch 16", d, len(toks))
	}
}

func TestNonCausalRaisesUBatch(t *testing.T) {
	l := loadPair(t, "tiny-gemma3")
	n, _, err := l.proj.ImageTokens(l.proj.Info().ImageSize, l.proj.Info().ImageSize)
	if err != nil {
		t.Fatal(err)
	}
	c := newContext(t, l, ContextOptions{ContextSize: 512, BatchSize: 2, UBatchSize: 1})
	if c.UBatchSize() < n || c.BatchSize() < n {
		t.Errorf("ubatch %d, batch %d for a %d-token non-causal image", c.UBatchSize(), c.BatchSize(), n)
	}
	describe(t, c, testImage(50, 70, 3), "x", 2)
}

func TestSamplingSeeds(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	run := func(seed uint32) []Token {
		c := newContext(t, l, ContextOptions{ContextSize: 512})
		ctx := context.Background()
		if err := c.Append(ctx, 0, Prompt{Text: userPrompt(t, l.model, "x"), Images: []Image{testImage(32, 32, 4)}}); err != nil {
			t.Fatal(err)
		}
		out, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: 16, Sampling: Sampling{Temperature: 1.5, TopK: 200, TopP: 0.99, MinP: 0.001, RepeatPenalty: 1.1, Seed: seed}}})
		if err != nil {
			t.Fatal(err)
		}
		return out[0].Tokens
	}
	a, b, other := run(1), run(1), run(2)
	if !slices.Equal(a, b) {
		t.Errorf("same seed gave %v and %v", a, b)
	}
	if slices.Equal(a, other) && len(a) > 3 {
		t.Errorf("seeds 1 and 2 gave the same %d tokens", len(a))
	}
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// Spin changes how threads wait, not what they compute.
func TestSpinSameOutput(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	img := testImage(48, 40, 6)
	spin := describe(t, newContext(t, l, ContextOptions{ContextSize: 512, Threads: 2, Spin: true}), img, "x", 8)
	quiet := describe(t, newContext(t, l, ContextOptions{ContextSize: 512, Threads: 2}), img, "x", 8)
	if !slices.Equal(spin.Tokens, quiet.Tokens) {
		t.Errorf("sleeping threads gave %v, spinning %v", quiet.Tokens, spin.Tokens)
	}
}

// Logits agree with what greedy generation then picks, and leave the
// sequence ready for Generate.
func TestLogitsThenGenerate(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	c := newContext(t, l, ContextOptions{ContextSize: 512})
	ctx := context.Background()
	if err := c.Append(ctx, 0, Prompt{Text: userPrompt(t, l.model, "x"), Images: []Image{testImage(32, 32, 8)}, AddSpecial: true}); err != nil {
		t.Fatal(err)
	}
	logits, err := c.Logits(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(logits) != l.model.Metadata().VocabSize {
		t.Fatalf("%d logits for a vocabulary of %d", len(logits), l.model.Metadata().VocabSize)
	}
	best := 0
	for i, v := range logits {
		if v > logits[best] {
			best = i
		}
	}
	out, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out[0].Tokens) == 1 && out[0].Tokens[0] != Token(best) {
		t.Errorf("greedy picked %d, argmax of Logits is %d", out[0].Tokens[0], best)
	}
	// The same prompt generated without Logits gives the same token.
	c2 := newContext(t, l, ContextOptions{ContextSize: 512})
	if again := describe(t, c2, testImage(32, 32, 8), "x", 1); !slices.Equal(again.Tokens, out[0].Tokens) {
		t.Errorf("after Logits %v, without %v", out[0].Tokens, again.Tokens)
	}
}

func TestContinuousBatchRefill(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	ctx := context.Background()
	full := userPrompt(t, l.model, "Describe the image.")
	cut := strings.Index(full, MediaMarker()) + len(MediaMarker())
	prefix, tail := full[:cut], full[cut:]
	type job struct {
		img Image
		max int
	}
	var jobs []job
	for i := range 6 {
		jobs = append(jobs, job{testImage(40+8*i, 32, uint64(100+i)), 3 + 3*(i%3)})
	}
	// Each job alone, for reference.
	alone := make([][]Token, len(jobs))
	for i, j := range jobs {
		c := newContext(t, l, ContextOptions{ContextSize: 1024})
		if err := c.Append(ctx, 0, Prompt{Text: prefix, Images: []Image{j.img}, AddSpecial: true}); err != nil {
			t.Fatal(err)
		}
		if err := c.Append(ctx, 0, Prompt{Text: tail}); err != nil {
			t.Fatal(err)
		}
		out, err := c.Generate(ctx, []GenerateRequest{{MaxTokens: j.max}})
		if err != nil {
			t.Fatal(err)
		}
		alone[i] = out[0].Tokens
	}

	c := newContext(t, l, ContextOptions{ContextSize: 1024, MaxSequences: 2})
	next := 0
	jobOf := map[int]int{} // sequence -> job running in it
	start := func(seq int) GenerateRequest {
		j := jobs[next]
		if err := c.Append(ctx, seq, Prompt{Text: prefix, Images: []Image{j.img}, AddSpecial: true}); err != nil {
			t.Fatal(err)
		}
		if err := c.Append(ctx, seq, Prompt{Text: tail}); err != nil {
			t.Fatal(err)
		}
		jobOf[seq] = next
		next++
		return GenerateRequest{Seq: seq, MaxTokens: j.max}
	}
	first := []GenerateRequest{start(0), start(1)}
	got := make([][]Token, len(jobs))
	midway := 0 // refills while another sequence was still running
	out, err := c.GenerateWith(ctx, first, &GenerateOptions{Refill: func(fin []Completion) ([]GenerateRequest, error) {
		var more []GenerateRequest
		for _, f := range fin {
			got[jobOf[f.Seq]] = f.Tokens
			if err := c.RemoveSequence(f.Seq); err != nil {
				return nil, err
			}
			if next < len(jobs) {
				if len(fin) < 2 {
					midway++
				}
				more = append(more, start(f.Seq))
			}
		}
		return more, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(jobs) {
		t.Fatalf("%d completions for %d jobs", len(out), len(jobs))
	}
	for i := range jobs {
		if !slices.Equal(got[i], alone[i]) {
			t.Errorf("job %d: continuous %v, alone %v", i, got[i], alone[i])
		}
	}
	if midway == 0 {
		t.Error("no sequence was refilled while another one ran: the batch was not continuous")
	}
	if c.Used() != 0 {
		t.Errorf("%d KV cells still used after every sequence was removed", c.Used())
	}
	// Refill errors end the call with the error.
	boom := errors.New("boom")
	next = 0
	c = newContext(t, l, ContextOptions{ContextSize: 1024, MaxSequences: 2})
	if _, err := c.GenerateWith(ctx, []GenerateRequest{start(0)}, &GenerateOptions{Refill: func([]Completion) ([]GenerateRequest, error) {
		return nil, boom
	}}); !errors.Is(err, boom) {
		t.Errorf("refill error: got %v", err)
	}
}

// Closing the context inside Refill ends the call with ErrClosed instead
// of touching freed memory.
func TestRefillClosesContext(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	ctx := context.Background()
	c := newContext(t, l, ContextOptions{ContextSize: 512})
	if err := c.Append(ctx, 0, Prompt{Text: userPrompt(t, l.model, "Hi."), Images: []Image{testImage(16, 16, 1)}, AddSpecial: true}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GenerateWith(ctx, []GenerateRequest{{MaxTokens: 2}}, &GenerateOptions{Refill: func([]Completion) ([]GenerateRequest, error) {
		return nil, c.Close()
	}})
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}

// Poll lets work that arrives mid-generation join at the next step, not
// when a running sequence finishes; DropCompletions returns none, and a
// finished sequence's sampler is freed at once, so a long continuous batch
// holds samplers only for the sequences running.
func TestContinuousBatchPoll(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	ctx := context.Background()
	prompt := userPrompt(t, l.model, "Describe the image.")
	c := newContext(t, l, ContextOptions{ContextSize: 2048, MaxSequences: 4})
	start := func(seq int, seed uint64) {
		t.Helper()
		if err := c.Append(ctx, seq, Prompt{Text: prompt, Images: []Image{testImage(32, 32, seed)}, AddSpecial: true}); err != nil {
			t.Fatal(err)
		}
	}
	start(0, 1)
	base := Live().Samplers
	steps := 0     // decode steps seen by Poll
	joinedAt := -1 // step at which the second job was started
	finished := map[int]int{}
	want := map[int]int{0: 12} // tokens of the job in each sequence
	maxSamplers := 0
	jobs := 1
	out, err := c.GenerateWith(ctx, []GenerateRequest{{Seq: 0, MaxTokens: 12, IgnoreEnd: true}}, &GenerateOptions{
		DropCompletions: true,
		Poll: func() bool {
			steps++
			return steps == 3 && joinedAt < 0
		},
		Refill: func(fin []Completion) ([]GenerateRequest, error) {
			maxSamplers = max(maxSamplers, Live().Samplers-base)
			for _, f := range fin {
				if _, ok := finished[f.Seq]; !ok {
					finished[f.Seq] = steps
				}
				if len(f.Tokens) != want[f.Seq] {
					t.Errorf("sequence %d: %d tokens, want %d", f.Seq, len(f.Tokens), want[f.Seq])
				}
				if err := c.RemoveSequence(f.Seq); err != nil {
					return nil, err
				}
			}
			if len(fin) == 0 && joinedAt < 0 {
				joinedAt = steps
				start(1, 2)
				want[1] = 12
				jobs++
				return []GenerateRequest{{Seq: 1, MaxTokens: 12, IgnoreEnd: true}}, nil
			}
			// Later jobs reuse the freed sequences one after another.
			if len(fin) > 0 && jobs < 8 {
				var more []GenerateRequest
				for _, f := range fin {
					start(f.Seq, uint64(10+jobs))
					want[f.Seq] = 3
					jobs++
					more = append(more, GenerateRequest{Seq: f.Seq, MaxTokens: 3, IgnoreEnd: true})
				}
				return more, nil
			}
			return nil, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out != nil {
		t.Errorf("DropCompletions: got %d completions, want none", len(out))
	}
	if joinedAt != 3 {
		t.Fatalf("the polled job started at step %d, want 3", joinedAt)
	}
	if finished[0] == 0 || finished[0] <= joinedAt {
		t.Errorf("sequence 0 finished at step %d: the second job should have joined while it ran (step %d)", finished[0], joinedAt)
	}
	if jobs != 8 {
		t.Errorf("%d jobs ran, want 8", jobs)
	}
	// At most the two sequences running (plus the one just finished,
	// whose completion Refill holds) have samplers.
	if maxSamplers > 2 {
		t.Errorf("up to %d samplers alive during Refill: finished sequences keep theirs", maxSamplers)
	}
	if n := Live().Samplers - base; n != 0 {
		t.Errorf("%d samplers left after the call", n)
	}
}

// Used counts shared cells once and frees them with their last holder:
// units that come and go (a prefix forked to a branch, both removed) next
// to a sequence that lives on leave the count where it was, as a
// continuous batch over thousands of images needs.
func TestUsedCellsWithCopies(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	ctx := context.Background()
	c := newContext(t, l, ContextOptions{ContextSize: 1024, MaxSequences: 4})
	if err := c.Append(ctx, 3, Prompt{Text: "a long-lived sequence of some words", AddSpecial: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Generate(ctx, []GenerateRequest{{Seq: 3, MaxTokens: 2, IgnoreEnd: true}}); err != nil {
		t.Fatal(err)
	}
	base := c.Used()
	if base == 0 {
		t.Fatal("no cells used by sequence 3")
	}
	for i := range 40 {
		if err := c.Append(ctx, 0, Prompt{Text: "shared prefix words " + MediaMarker(), Images: []Image{testImage(16, 16, uint64(i))}, AddSpecial: true}); err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		prefix := c.Used()
		if err := c.CopySequence(0, 1); err != nil {
			t.Fatal(err)
		}
		if c.Used() != prefix {
			t.Fatalf("cycle %d: a copy changed Used from %d to %d", i, prefix, c.Used())
		}
		if err := c.Append(ctx, 1, Prompt{Text: " and a suffix"}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Generate(ctx, []GenerateRequest{{Seq: 1, MaxTokens: 3, IgnoreEnd: true}}); err != nil {
			t.Fatal(err)
		}
		// The prefix goes first: its cells live on in the branch.
		if err := c.RemoveSequence(0); err != nil {
			t.Fatal(err)
		}
		if c.Used() <= base {
			t.Fatalf("cycle %d: the branch's shared cells were freed with the prefix (Used %d)", i, c.Used())
		}
		if err := c.RemoveSequence(1); err != nil {
			t.Fatal(err)
		}
		if c.Used() != base {
			t.Fatalf("cycle %d: Used %d after the unit left, want %d", i, c.Used(), base)
		}
	}
}
