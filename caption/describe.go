package caption

import (
	"context"
	"slices"
	"time"

	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

// Request asks for captions of one image.
type Request struct {
	Image *vision.Image
	// Prepared, when set, is the image as Engine.Prepare of this engine
	// made it ready (Image may then be nil): the engine skips resizing,
	// packing, hashing and counting it.
	Prepared *Prepared
	// Languages of the captions; empty means English. All languages share
	// one image encode and one prefill.
	Languages []Language
	Detail    Detail
	// Instruction replaces the template's instruction for every language;
	// Instructions (by language tag) for single languages. The statement
	// of the target language and the chat template still apply.
	Instruction  string
	Instructions map[string]string
	// Question asks about the image (visual question answering) instead of
	// describing it.
	Question string
	Strategy Strategy
	// PivotLanguage is the language of Pivot; zero means English.
	PivotLanguage Language
	Generation    Generation
	// Raw keeps the model's text as it is (no clean-up) in Caption.Text.
	Raw bool
	// OnMismatch says what becomes of a wrong-language answer; "" means
	// MismatchRetry.
	OnMismatch OnMismatch
	// NoRetry skips the retries of wrong-language answers whatever
	// OnMismatch says (the check still runs; the answer then settles as
	// OnMismatch says: failed, or kept as a mismatch).
	NoRetry bool
	// Ground scores each caption's sentences with and without the image
	// (Caption.Grounding), in the same batch; DropUngrounded also removes
	// the sentences the image does not support from Caption.Text.
	Ground, DropUngrounded bool
	// OnText, if set, streams the text of each output as it is generated
	// (a retried or pivoted language streams again).
	OnText func(lang Language, piece string)
}

// output is one requested text in progress: how to ask for it and what
// came back.
type output struct {
	lang   Language
	image  *llama.Image
	prefix string // shared image prefix; "" for text-only prompts
	tokens int    // prefix size estimate
	// instruction builds the user instruction, strict or not.
	instruction func(strict bool) (string, error)
	// step names the output's attempts: "" (direct), pivot or translate.
	step string
	// force, when set, makes the output a scored text (grounding): its
	// tokens' log-probabilities land in logprobs.
	force    []llama.Token
	logprobs []float32
	gen      Generation
	raw      bool
	onText   func(string) bool
	cap      Caption
}

// Describe captions req.Image in each requested language.
func (e *Engine) Describe(ctx context.Context, req *Request) (*Result, error) {
	res, errs := e.DescribeBatch(ctx, []*Request{req})
	return res[0], errs[0]
}

// DescribeBatch captions several images in one continuous batch: the
// captions of all images decode together, one llama_decode per step, and
// a finished caption's sequence goes to the next waiting image at once
// (Options.MaxSequences bounds how many run together). Each request gets
// its result or its own error at the same index; a request that fails
// (an unreadable language, an image too large for the context) does not
// fail the others. Timings of a batch's results are those of the whole
// batch.
//
// Wrong-language answers are retried, and the pivot strategy runs, inside
// the same batch.
func (e *Engine) DescribeBatch(ctx context.Context, reqs []*Request) ([]*Result, []error) {
	results := make([]*Result, len(reqs))
	errs := make([]error, len(reqs))
	if err := e.checkOpen(); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return results, errs
	}
	next := 0
	take := func(bool) (*entry, bool) {
		if next == len(reqs) {
			return nil, false
		}
		i := next
		next++
		return &entry{w: reqs[i].work(), done: func(res any, err error) {
			results[i], errs[i] = asResult[*Result](res), err
		}}, next < len(reqs)
	}
	took, err := e.stream(ctx, take, nil)
	for i, r := range results {
		switch {
		case r != nil:
			r.Timings = took
		case errs[i] == nil:
			// Never started: the batch could not run at all.
			errs[i] = err
		}
	}
	return results, errs
}

// DescribeStream captions the requests that arrive on in, as they arrive,
// in one continuous batch that runs until in is closed: a request joins
// the running decode as soon as a sequence is free, so the model never
// waits for a group of images to drain. done is called once per request,
// in the order they finish, from the goroutine of DescribeStream; its
// Result's Timings hold only the request's latency (Total): the work of
// the whole stream is what DescribeStream returns.
//
// in should be buffered (a few times Engine.MaxSequences): between decode
// steps the engine takes the requests waiting in the buffer; from an
// unbuffered channel it can only read when a caption finishes.
//
// A failed request gets its error in done and the others go on; when the
// batch itself fails (a failed decode), the requests it held are run again
// one at a time, so only the culprit fails. Cancelling ctx aborts the
// requests in progress (done gets the error) and returns ctx's error; to
// finish them instead, stop sending and close in.
func (e *Engine) DescribeStream(ctx context.Context, in <-chan *Request, done func(req *Request, res *Result, err error)) (Timings, error) {
	if err := e.checkOpen(); err != nil {
		return Timings{}, err
	}
	take := chanTake(ctx, in, func(req *Request) *entry {
		return &entry{w: req.work(), done: func(res any, err error) { done(req, asResult[*Result](res), err) }}
	})
	took, err := e.stream(ctx, take, func() bool { return len(in) > 0 })
	if err == nil {
		err = ctx.Err()
	}
	return took, err
}

// Stream is DescribeStream for requests of any mode: each Task that
// arrives on in (a *Request, *RegionsRequest or *DenseRequest) joins the
// same continuous batch, and done gets its result (a *Result,
// *RegionsResult or *DenseResult) or its error. A server runs all its
// clients' requests through one Stream; a batch of region or dense
// captions runs through it too.
func (e *Engine) Stream(ctx context.Context, in <-chan Task, done func(t Task, res any, err error)) (Timings, error) {
	if err := e.checkOpen(); err != nil {
		return Timings{}, err
	}
	take := chanTake(ctx, in, func(t Task) *entry {
		if t == nil {
			return &entry{w: nilWork{}, done: func(res any, err error) { done(t, res, err) }}
		}
		en := &entry{w: t.work(), done: func(res any, err error) { done(t, res, err) }}
		if ct, ok := t.(*contextTask); ok {
			en.ctx = ct.ctx
		}
		return en
	})
	took, err := e.stream(ctx, take, func() bool { return len(in) > 0 })
	if err == nil {
		err = ctx.Err()
	}
	return took, err
}

// chanTake is a stream's take over a channel: with wait it blocks until a
// request arrives, the channel is closed or ctx is done.
func chanTake[T any](ctx context.Context, in <-chan T, mk func(T) *entry) func(wait bool) (*entry, bool) {
	return func(wait bool) (*entry, bool) {
		var req T
		var ok bool
		if wait {
			select {
			case req, ok = <-in:
			case <-ctx.Done():
				return nil, false
			}
		} else {
			select {
			case req, ok = <-in:
			default:
				return nil, true
			}
		}
		if !ok {
			return nil, false
		}
		return mk(req), true
	}
}

// asResult is res as the result type of one mode, or nil.
func asResult[T any](res any) T {
	r, _ := res.(T)
	return r
}

// An entry is one request of a stream and where its answer goes; ctx,
// when set, cancels this request alone.
type entry struct {
	w    work
	done func(any, error)
	ctx  context.Context
}

// WithContext makes a Task that ends early when ctx is done: a request of
// a client that went away. Its sequences are freed at the next decode
// step (generation stops as its next piece of text arrives), its queued
// work is dropped, and Stream's done gets ctx's error for it. The other
// requests of the stream go on.
func WithContext(ctx context.Context, t Task) Task { return &contextTask{ctx: ctx, t: t} }

// Unwrap returns the task that WithContext wrapped, or t itself.
func Unwrap(t Task) Task {
	if ct, ok := t.(*contextTask); ok {
		return ct.t
	}
	return t
}

type contextTask struct {
	ctx context.Context
	t   Task
}

func (c *contextTask) work() work {
	if c.t == nil {
		return nilWork{}
	}
	return c.t.work()
}

// stream runs the entries that take gives through continuous batches
// until take is exhausted, and returns the work of all of them.
// take(wait) returns an entry or nil when it has none now (with wait it
// blocks until it has one or none will come), and false once no more will
// come after it; ready says without blocking whether take has one (nil:
// unknown).
func (e *Engine) stream(ctx context.Context, take func(wait bool) (*entry, bool), ready func() bool) (Timings, error) {
	start := time.Now()
	var st stats
	type flight struct {
		t  *entry
		t0 time.Time
		n  int // arrival order
	}
	held := map[*job]*flight{}
	arrivals := 0
	// begin starts a planned entry and returns its first units of work; a
	// failure is the entry's alone.
	begin := func(t *entry) []*unit {
		f := &flight{t: t, t0: time.Now(), n: arrivals}
		arrivals++
		j := &job{ctx: t.ctx}
		j.onFail = func(err error) {
			delete(held, j)
			t.done(nil, err)
		}
		held[j] = f
		units, err := t.w.flow(e, j, func() {
			delete(held, j)
			t.done(t.w.result(e, Timings{Total: time.Since(f.t0)}), nil)
		})
		if err != nil {
			j.fail(err)
			return nil
		}
		return units
	}
	more := true
	src := feed{ready: ready, next: func(wait bool) ([]*unit, bool) {
		for more {
			var t *entry
			t, more = take(wait)
			if t == nil {
				if !wait {
					return nil, more
				}
				continue
			}
			if t.ctx != nil && t.ctx.Err() != nil {
				t.done(nil, t.ctx.Err())
				continue
			}
			if err := t.w.plan(e); err != nil {
				t.done(nil, err)
				continue
			}
			if units := begin(t); len(units) > 0 {
				return units, more
			}
		}
		return nil, false
	}}
	for {
		err := e.run(ctx, src, &st)
		if err == nil {
			break
		}
		// The batch failed: the requests it held fail with a cancelled
		// ctx, or else run again one at a time so only the culprit fails.
		var rest []*flight
		for _, f := range held {
			rest = append(rest, f)
		}
		clear(held)
		slices.SortFunc(rest, func(a, b *flight) int { return a.n - b.n })
		if ctx.Err() != nil || len(rest) == 0 || (len(rest) == 1 && !more) {
			for _, f := range rest {
				f.t.done(nil, err)
			}
			return st.timings(time.Since(start)), err
		}
		for _, f := range rest {
			answered := false
			units := begin(&entry{w: f.t.w, done: func(res any, err error) {
				answered = true
				f.t.done(res, err)
			}})
			if err := e.run(ctx, fixed(units), &st); err != nil && !answered {
				clear(held)
				f.t.done(nil, err)
			}
		}
		if !more {
			break
		}
	}
	return st.timings(time.Since(start)), nil
}

// result assembles a finished plan's captions.
func (e *Engine) result(p *plan, took Timings) *Result {
	res := &Result{Mode: p.mode, Detail: p.detail, Model: e.opt.ModelID, Width: p.image.Width(), Height: p.image.Height(), Timings: took}
	for _, o := range p.outs {
		res.Captions = append(res.Captions, o.cap)
	}
	return res
}

// plan is one validated Describe request with its outputs.
type plan struct {
	req      *Request
	image    *Prepared
	mode     Mode
	detail   Detail
	strategy Strategy
	policy   OnMismatch
	outs     []*output
	mk       func(Language) *output
}

// plan validates a request and prepares its image and outputs.
func (e *Engine) plan(req *Request) (*plan, error) {
	if req == nil || (req.Image == nil && req.Prepared == nil) {
		return nil, &BadRequestError{Field: "image", Msg: "no image given"}
	}
	if req.Prepared != nil && req.Prepared.e != e {
		return nil, &BadRequestError{Field: "prepared", Msg: "the image was prepared by another engine"}
	}
	langs, err := e.languages(req.Languages)
	if err != nil {
		return nil, err
	}
	detail, err := ParseDetail(string(req.Detail))
	if err != nil {
		return nil, err
	}
	strategy, err := ParseStrategy(string(req.Strategy))
	if err != nil {
		return nil, err
	}
	policy, err := ParseOnMismatch(string(req.OnMismatch))
	if err != nil {
		return nil, err
	}
	if !req.PivotLanguage.IsZero() {
		if _, err := LookupLanguage(req.PivotLanguage.Tag); err != nil {
			return nil, &BadRequestError{Field: "pivot-language", Msg: err.Error()}
		}
	}
	if req.Question != "" && req.Instruction != "" {
		return nil, &BadRequestError{Field: "question", Msg: "a question and a custom instruction exclude each other"}
	}
	for tag, instr := range req.Instructions {
		if _, err := LookupLanguage(tag); err != nil {
			return nil, err
		}
		if err := checkText("instructions["+tag+"]", instr); err != nil {
			return nil, err
		}
	}
	if err := checkText("instruction", req.Instruction); err != nil {
		return nil, err
	}
	if err := checkText("question", req.Question); err != nil {
		return nil, err
	}
	if err := checkGeneration(req.Generation); err != nil {
		return nil, err
	}
	pi := req.Prepared
	if pi == nil {
		if pi, err = e.Prepare(req.Image); err != nil {
			return nil, err
		}
	}
	img, tokens := pi.img, pi.tokens
	mode := ModeBrief
	if detail == Detailed {
		mode = ModeDetailed
	}
	if req.Question != "" {
		mode = ModeQuestion
	}
	gen := req.Generation
	if gen.MaxTokens == 0 {
		gen.MaxTokens = defaultMaxTokens(mode, 0)
	}
	ask := func(lang Language) func(bool) (string, error) {
		return func(strict bool) (string, error) {
			instr := req.Instruction
			if v, ok := req.Instructions[lang.Tag]; ok {
				instr = v
			}
			switch {
			case instr != "" && strict:
				return e.tmpl.RenderCustomStrict(lang, instr)
			case instr != "":
				return e.tmpl.RenderCustom(lang, instr)
			}
			var vars map[string]string
			if mode == ModeQuestion {
				vars = map[string]string{"question": req.Question}
			}
			if strict {
				return e.tmpl.RenderStrict(lang, mode, vars)
			}
			return e.tmpl.Render(lang, mode, vars)
		}
	}
	prefix, err := e.imagePrefix()
	if err != nil {
		return nil, err
	}
	mk := func(lang Language) *output {
		o := &output{lang: lang, image: img, prefix: prefix, tokens: tokens, instruction: ask(lang), gen: gen, raw: req.Raw}
		if req.OnText != nil {
			o.onText = func(p string) bool { req.OnText(lang, p); return true }
		}
		return o
	}
	p := &plan{req: req, image: pi, mode: mode, detail: detail, strategy: strategy, policy: policy, mk: mk}
	for _, l := range langs {
		p.outs = append(p.outs, mk(l))
	}
	return p, nil
}

// languages defaults to English and rejects duplicates.
func (e *Engine) languages(langs []Language) ([]Language, error) {
	if len(langs) == 0 {
		return []Language{MustLookupLanguage("en")}, nil
	}
	seen := map[string]bool{}
	for _, l := range langs {
		if l.IsZero() {
			return nil, &BadRequestError{Field: "languages", Msg: "empty language"}
		}
		if seen[l.Tag] {
			return nil, &BadRequestError{Field: "languages", Msg: "language " + l.Tag + " given twice"}
		}
		seen[l.Tag] = true
	}
	return langs, nil
}

// imagePrefix is the chat text up to and including the image marker.
func (e *Engine) imagePrefix() (string, error) {
	p, _, err := e.chatPrefix("", true)
	return p, err
}
