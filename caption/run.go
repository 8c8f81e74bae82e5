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

// job returns the job the item's work belongs to.
func (it *item) job() *job { return it.branches[0].group.job }

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
	group     *group
}

// A group is the outputs asked together in one step of a job (the first
// answers of an image's languages, their strict retries, a pivot's
// translations). When all its branches are answered, its outputs are
// cleaned and checked, and then gives the job's next units of work.
type group struct {
	job    *job
	outs   []*output
	bs     []*branch
	strict bool
	left   int // branches not answered yet
	then   func() ([]*item, error)
}

// A job is the work of one request in a run. A failed job's other units
// are dropped and its later steps never run; the others go on.
type job struct {
	err    error
	onFail func(error) // called once, on the first failure
}

// fail records the job's first failure.
func (j *job) fail(err error) {
	if j.err != nil {
		return
	}
	j.err = err
	if j.onFail != nil {
		j.onFail(err)
	}
}

// then calls next, or gives no units when it is nil.
func then(next func() ([]*item, error)) ([]*item, error) {
	if next == nil {
		return nil, nil
	}
	return next()
}

// A feed gives a run its units of work while it runs. next returns the
// units ready now; with wait it blocks until there are some or none will
// come. more is false once nothing more will come. ready says without
// blocking whether next has something (nil: never ask between steps).
type feed struct {
	next  func(wait bool) (items []*item, more bool)
	ready func() bool
}

// fixed is a feed of the given units.
func fixed(items []*item) feed {
	return feed{next: func(bool) ([]*item, bool) {
		it := items
		items = nil
		return it, false
	}}
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

// run evaluates the units of work that src gives, in one continuous batch
// on one context: units (an image prefix with the outputs that continue
// it) start while their sequences and KV cells fit; each unit appends its
// prefix once, forks it to its branches, and its branches join the
// running decode. When the last branch of a unit finishes, its sequences
// and cells are freed and the next waiting unit starts at once, so a long
// caption never holds the others back (llama.Context.GenerateWith with
// Refill). When a group of outputs is answered, its next step (a strict
// retry, a translation) goes to the front of the queue; new work is taken
// from src whenever the queue is empty and a sequence is free.
//
// A unit that can never fit fails its job alone; an error of the batch
// itself (a failed decode, a cancelled ctx) ends the run with it.
func (e *Engine) run(ctx context.Context, src feed, st *stats) error {
	lc, err := e.acquire(ctx)
	if err != nil {
		return err
	}
	defer e.release(lc)
	maxSeq := lc.MaxSequences()
	budget := lc.Size()

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
	// split cuts a unit whose branches cannot run at once into units that
	// can (the embedding cache makes the repeated prefix cheap); a unit
	// whose prompt alone does not fit fails its job.
	split := func(it *item) []*item {
		var parts []*item
		per := maxSeq
		if it.image != nil {
			per = maxSeq - 1
		}
		for len(it.branches) > per {
			parts = append(parts, &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[:per]})
			it = &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[per:]}
		}
		for {
			_, c := cost(it)
			if c <= budget {
				break
			}
			if len(it.branches) > 1 {
				half := len(it.branches) / 2
				parts = append(parts, &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[:half]})
				it = &item{image: it.image, prefix: it.prefix, tokens: it.tokens, branches: it.branches[half:]}
				continue
			}
			// One output alone may have its generation cut by the context
			// (StopContext), but its prompt must fit.
			if p := c - it.branches[0].maxTokens; p > budget {
				it.job().fail(fmt.Errorf("%w: the prompt takes about %d tokens, the context %d (raise the context size or lower the image size)", ErrImageTooLarge, p, budget))
				return nil
			}
			break
		}
		return append(parts, it)
	}
	enqueue := func(items []*item, front bool) {
		var add []*item
		for _, it := range items {
			add = append(add, split(it)...)
		}
		if front {
			queue = append(add, queue...)
		} else {
			queue = append(queue, add...)
		}
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
	more := true // src may give more

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
	// fill starts waiting units, in order, while they fit, taking more
	// from src when the queue runs dry; with nothing running it waits for
	// src rather than end the batch.
	fill := func() ([]llama.GenerateRequest, error) {
		var reqs []llama.GenerateRequest
		for {
			for len(queue) > 0 && queue[0].job().err != nil {
				queue = queue[1:] // the rest of a failed job
			}
			if len(queue) == 0 {
				if !more {
					return reqs, nil
				}
				wait := running == 0
				var items []*item
				items, more = src.next(wait)
				enqueue(items, false)
				if len(queue) == 0 && !wait && more {
					return reqs, nil
				}
				continue
			}
			s, c := cost(queue[0])
			if s > len(free) || (running > 0 && usedCells+c > budget) {
				return reqs, nil
			}
			r, err := start(queue[0])
			if err != nil {
				return nil, err
			}
			queue = queue[1:]
			reqs = append(reqs, r...)
		}
	}
	// answered records a finished branch; when its group is complete the
	// outputs are finished and the job's next step is queued first.
	answered := func(b *branch, c llama.Completion) {
		b.result = c
		g := b.group
		if g.left--; g.left > 0 || g.job.err != nil {
			return
		}
		for i, o := range g.outs {
			e.finish(o, g.bs[i].result)
			o.cap.Retried = g.strict
		}
		next, err := then(g.then)
		if err != nil {
			g.job.fail(err)
			return
		}
		enqueue(next, true)
	}
	first, err := fill()
	if err != nil {
		return err
	}
	if len(first) == 0 {
		return nil
	}
	opt := &llama.GenerateOptions{DropCompletions: true, Refill: func(fin []llama.Completion) ([]llama.GenerateRequest, error) {
		for _, f := range fin {
			b, a := branchOf[f.Seq], unitOf[f.Seq]
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
			answered(b, f)
		}
		return fill()
	}}
	if src.ready != nil {
		// New work is taken between steps only when nothing waits and an
		// image unit (its prefix and one output: two sequences) could
		// start now; otherwise the next finished sequence brings it in.
		opt.Poll = func() bool { return len(queue) == 0 && more && len(free) >= 2 && src.ready() }
	}
	_, err = lc.GenerateWith(ctx, first, opt)
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
