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

// add accumulates the work of another call.
func (st *stats) add(o stats) {
	st.rounds += o.rounds
	st.llama.ImageEncodes += o.llama.ImageEncodes
	st.llama.ImageCacheHits += o.llama.ImageCacheHits
	st.llama.ImageEncodeTime += o.llama.ImageEncodeTime
	st.llama.ImageTokens += o.llama.ImageTokens
	st.llama.ImageDecodeTime += o.llama.ImageDecodeTime
	st.llama.PromptTokens += o.llama.PromptTokens
	st.llama.PromptTime += o.llama.PromptTime
	st.llama.GeneratedTokens += o.llama.GeneratedTokens
	st.llama.GenerateTime += o.llama.GenerateTime
	st.llama.Decodes += o.llama.Decodes
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

// run evaluates items in one continuous batch on one context: units of
// work (an image prefix with the outputs that continue it) start while
// their sequences and KV cells fit; each unit appends its prefix once,
// forks it to its branches, and its branches join the running decode. When
// the last branch of a unit finishes, its sequences and cells are freed and
// the next waiting unit starts at once, so a long caption never holds the
// others back (llama.Context.GenerateWith with Refill).
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

	// Split items whose branches cannot run at once; the embedding cache
	// makes the repeated prefix cheap.
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
	var queue []*item
	for _, it := range items {
		per := maxSeq
		if it.image != nil {
			per = maxSeq - 1
		}
		for len(it.branches) > per {
			queue = append(queue, &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[:per]})
			it = &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[per:]}
		}
		for {
			_, c := cost(it)
			if c <= budget {
				break
			}
			if len(it.branches) > 1 {
				half := len(it.branches) / 2
				queue = append(queue, &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[:half]})
				it = &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[half:]}
				continue
			}
			// One output alone may have its generation cut by the context
			// (StopContext), but its prompt must fit.
			if p := c - it.branches[0].maxTokens; p > budget {
				return fmt.Errorf("%w: the prompt takes about %d tokens, the context %d (raise the context size or lower the image size)", ErrImageTooLarge, p, budget)
			}
			break
		}
		queue = append(queue, it)
	}

	if err := lc.Clear(); err != nil {
		return err
	}
	lc.ResetStats()
	defer func() { st.add(stats{rounds: 1, llama: lc.Stats()}) }()

	type active struct {
		prefix int // sequence of the shared prefix, -1 for text-only units
		left   int // branches still generating
		cells  int
	}
	free := make([]int, 0, maxSeq)
	for i := maxSeq - 1; i >= 0; i-- {
		free = append(free, i)
	}
	take := func() int {
		s := free[len(free)-1]
		free = free[:len(free)-1]
		return s
	}
	usedCells := 0
	branchOf := map[int]*branch{}
	unitOf := map[int]*active{}
	running := 0

	// start appends a unit's prompts and returns its generation requests.
	start := func(it *item) ([]llama.GenerateRequest, error) {
		_, cells := cost(it)
		a := &active{prefix: -1, left: len(it.branches), cells: cells}
		usedCells += cells
		running++
		if it.image != nil {
			a.prefix = take()
			if err := lc.Append(ctx, a.prefix, llama.Prompt{Text: it.prefix, Images: []llama.Image{*it.image}, AddSpecial: true}); err != nil {
				return nil, err
			}
		}
		var reqs []llama.GenerateRequest
		for _, b := range it.branches {
			seq := take()
			if a.prefix >= 0 {
				if err := lc.CopySequence(a.prefix, seq); err != nil {
					return nil, err
				}
			}
			if err := lc.Append(ctx, seq, llama.Prompt{Text: b.suffix, AddSpecial: a.prefix < 0}); err != nil {
				return nil, err
			}
			branchOf[seq], unitOf[seq] = b, a
			reqs = append(reqs, llama.GenerateRequest{Seq: seq, MaxTokens: b.maxTokens, Stop: b.stop, Sampling: b.sampling, OnText: b.onText})
		}
		return reqs, nil
	}
	// fill starts waiting units, in order, while they fit.
	fill := func() ([]llama.GenerateRequest, error) {
		var reqs []llama.GenerateRequest
		for len(queue) > 0 {
			s, c := cost(queue[0])
			if s > len(free) || (running > 0 && usedCells+c > budget) {
				break
			}
			r, err := start(queue[0])
			if err != nil {
				return nil, err
			}
			queue = queue[1:]
			reqs = append(reqs, r...)
		}
		return reqs, nil
	}
	first, err := fill()
	if err != nil {
		return err
	}
	_, err = lc.GenerateWith(ctx, first, &llama.GenerateOptions{Refill: func(fin []llama.Completion) ([]llama.GenerateRequest, error) {
		for _, f := range fin {
			branchOf[f.Seq].result = f
			a := unitOf[f.Seq]
			delete(branchOf, f.Seq)
			delete(unitOf, f.Seq)
			if err := lc.RemoveSequence(f.Seq); err != nil {
				return nil, err
			}
			free = append(free, f.Seq)
			if a.left--; a.left == 0 {
				if a.prefix >= 0 {
					if err := lc.RemoveSequence(a.prefix); err != nil {
						return nil, err
					}
					free = append(free, a.prefix)
				}
				usedCells -= a.cells
				running--
			}
		}
		return fill()
	}})
	if err == nil && len(queue) > 0 {
		// Cannot happen: with nothing running, the next unit always fits.
		return fmt.Errorf("caption: %d units of work were never started", len(queue))
	}
	return err
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
