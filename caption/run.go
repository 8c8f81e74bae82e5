package caption

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/capgen/capgen/llama"
)

// An item is one shared prefix (an image with the text before it, or
// nothing for text-only prompts) and the outputs that continue it.
type item struct {
	image  *llama.Image // nil for text-only prompts
	prefix string       // chat text up to and including the media marker
	// tokens is an estimate of the prefix's KV cells, for packing rounds.
	tokens   int
	branches []*branch
}

// A branch is one output: the text after the prefix (a language's
// instruction and the chat template's end), generated in its own sequence.
type branch struct {
	suffix    string
	maxTokens int
	stop      []string
	sampling  llama.Sampling
	onText    func(string) bool
	result    llama.Completion
	prompt    int // prompt tokens of the suffix
}

// stats accumulates the work of one call.
type stats struct {
	rounds int
	llama  llama.Stats
}

// chatPrefix renders a one-turn chat whose user message is the media
// marker followed by instruction, and splits it right after the marker: the
// prefix is shared by every output of the image, the suffix is the
// output's own. mtmd tokenizes the text on each side of a marker
// separately, so the split gives the same tokens as the whole prompt.
func (e *Engine) chatPrefix(instruction string, withImage bool) (prefix, suffix string, err error) {
	marker := llama.MediaMarker()
	content := instruction
	if withImage {
		content = marker + instruction
	}
	text, err := e.model.ApplyChatTemplate(e.opt.ChatTemplate, []llama.Message{{Role: "user", Content: content}}, true)
	if err != nil {
		return "", "", err
	}
	if !withImage {
		return "", text, nil
	}
	i := strings.Index(text, marker)
	if i < 0 {
		return "", "", fmt.Errorf("caption: the chat template dropped the image marker")
	}
	return text[:i+len(marker)], text[i+len(marker):], nil
}

// estimate returns the KV cells a prompt text takes (an upper bound: a
// token covers at least one byte, and usually 3-4).
func (e *Engine) estimate(text string) int {
	toks, err := e.model.Tokenize(text, llama.TokenizeOptions{ParseSpecial: true})
	if err != nil {
		return len(text)
	}
	return len(toks)
}

// run evaluates items in rounds that fit one context (sequences and KV
// cells): each round appends every prefix once, forks it to its branches
// and generates all branches of the round together.
func (e *Engine) run(ctx context.Context, items []*item, st *stats) error {
	if len(items) == 0 {
		return nil
	}
	lc, err := e.acquire(ctx)
	if err != nil {
		return err
	}
	defer e.release(lc)
	maxSeq := lc.MaxSequences()
	budget := lc.Size()

	// Split items whose branches cannot share one round; the embedding
	// cache makes the repeated prefix cheap.
	var units []*item
	for _, it := range items {
		per := maxSeq
		if it.image != nil {
			per = maxSeq - 1
		}
		for len(it.branches) > per {
			units = append(units, &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[:per]})
			it = &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[per:]}
		}
		units = append(units, it)
	}
	cost := func(it *item) (seqs, cells int) {
		cells = it.tokens
		if it.image != nil {
			seqs = 1
		}
		for _, b := range it.branches {
			seqs++
			cells += b.prompt + b.maxTokens
		}
		return seqs, cells
	}
	for len(units) > 0 {
		if u := units[0]; true {
			if _, c := cost(u); c > budget {
				if len(u.branches) > 1 {
					half := len(u.branches) / 2
					head := &item{image: u.image, prefix: u.prefix, tokens: u.tokens, branches: u.branches[:half]}
					u.branches = u.branches[half:]
					units = append([]*item{head}, units...)
					continue
				}
				// One output alone may have its generation cut by the
				// context (StopContext), but its prompt must fit.
				if p := c - u.branches[0].maxTokens; p > budget {
					return fmt.Errorf("%w: the prompt takes about %d tokens, the context %d (raise the context size or lower the image size)", ErrImageTooLarge, p, budget)
				}
			}
		}
		round := units[:1]
		seqs, cells := cost(units[0])
		for _, u := range units[1:] {
			s, c := cost(u)
			if seqs+s > maxSeq || cells+c > budget {
				break
			}
			round = units[:len(round)+1]
			seqs += s
			cells += c
		}
		units = units[len(round):]
		if err := e.runRound(ctx, lc, round, st); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) runRound(ctx context.Context, lc *llama.Context, round []*item, st *stats) error {
	if err := lc.Clear(); err != nil {
		return err
	}
	lc.ResetStats()
	defer func() {
		s := lc.Stats()
		st.rounds++
		st.llama.ImageEncodes += s.ImageEncodes
		st.llama.ImageCacheHits += s.ImageCacheHits
		st.llama.ImageEncodeTime += s.ImageEncodeTime
		st.llama.ImageTokens += s.ImageTokens
		st.llama.ImageDecodeTime += s.ImageDecodeTime
		st.llama.PromptTokens += s.PromptTokens
		st.llama.PromptTime += s.PromptTime
		st.llama.GeneratedTokens += s.GeneratedTokens
		st.llama.GenerateTime += s.GenerateTime
		st.llama.Decodes += s.Decodes
	}()
	seq := 0
	var reqs []llama.GenerateRequest
	var order []*branch
	for _, it := range round {
		prefixSeq := -1
		if it.image != nil {
			prefixSeq = seq
			seq++
			if err := lc.Append(ctx, prefixSeq, llama.Prompt{Text: it.prefix, Images: []llama.Image{*it.image}, AddSpecial: true}); err != nil {
				return err
			}
		}
		for _, b := range it.branches {
			if prefixSeq >= 0 {
				if err := lc.CopySequence(prefixSeq, seq); err != nil {
					return err
				}
			}
			if err := lc.Append(ctx, seq, llama.Prompt{Text: b.suffix, AddSpecial: prefixSeq < 0}); err != nil {
				return err
			}
			reqs = append(reqs, llama.GenerateRequest{Seq: seq, MaxTokens: b.maxTokens, Stop: b.stop, Sampling: b.sampling, OnText: b.onText})
			order = append(order, b)
			seq++
		}
	}
	out, err := lc.Generate(ctx, reqs)
	if err != nil {
		return err
	}
	for i, b := range order {
		b.result = out[i]
	}
	return nil
}

// Timings reports where the time of a call went. In JSON the durations
// are milliseconds.
type Timings struct {
	Total           time.Duration
	ImageEncode     time.Duration // vision encoder and projector
	ImageEncodes    int           // image slices encoded
	ImageCacheHits  int           // image slices taken from the embedding cache
	Prompt          time.Duration // prompt text and image embeddings into the KV cache
	PromptTokens    int
	Generate        time.Duration
	GeneratedTokens int
	Rounds          int // context rounds the call needed
}

// MarshalJSON writes durations as milliseconds.
func (t Timings) MarshalJSON() ([]byte, error) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return json.Marshal(struct {
		Total           float64 `json:"total_ms"`
		ImageEncode     float64 `json:"image_encode_ms"`
		ImageEncodes    int     `json:"image_encodes"`
		ImageCacheHits  int     `json:"image_cache_hits"`
		Prompt          float64 `json:"prompt_ms"`
		PromptTokens    int     `json:"prompt_tokens"`
		Generate        float64 `json:"generate_ms"`
		GeneratedTokens int     `json:"generated_tokens"`
		Rounds          int     `json:"rounds"`
	}{ms(t.Total), ms(t.ImageEncode), t.ImageEncodes, t.ImageCacheHits, ms(t.Prompt), t.PromptTokens, ms(t.Generate), t.GeneratedTokens, t.Rounds})
}

func (st *stats) timings(total time.Duration) Timings {
	return Timings{
		Total:           total,
		ImageEncode:     st.llama.ImageEncodeTime,
		ImageEncodes:    st.llama.ImageEncodes,
		ImageCacheHits:  st.llama.ImageCacheHits,
		Prompt:          st.llama.PromptTime + st.llama.ImageDecodeTime,
		PromptTokens:    st.llama.PromptTokens + st.llama.ImageTokens,
		Generate:        st.llama.GenerateTime,
		GeneratedTokens: st.llama.GeneratedTokens,
		Rounds:          st.rounds,
	}
}
