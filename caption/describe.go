package caption

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

// Request asks for captions of one image.
type Request struct {
	Image *vision.Image
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
	// NoRetry skips the stricter second attempt for wrong-language
	// answers (the check still runs and is reported in Caption.Detected).
	NoRetry bool
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
	gen         Generation
	raw         bool
	onText      func(string) bool
	cap         Caption
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
// Wrong-language answers are retried for all images together; the pivot
// strategy and its fallback run image by image.
func (e *Engine) DescribeBatch(ctx context.Context, reqs []*Request) ([]*Result, []error) {
	start := time.Now()
	results := make([]*Result, len(reqs))
	errs := make([]error, len(reqs))
	if err := e.checkOpen(); err != nil {
		for i := range errs {
			errs[i] = err
		}
		return results, errs
	}
	plans := make([]*plan, len(reqs))
	var direct []*plan
	for i, req := range reqs {
		p, err := e.plan(req)
		if err != nil {
			errs[i] = err
			continue
		}
		plans[i] = p
		if p.strategy != Pivot {
			direct = append(direct, p)
		}
	}
	var st stats
	failed := map[*plan]error{}
	if err := e.directAll(ctx, direct, &st); err != nil {
		if ctx.Err() != nil || len(direct) == 1 {
			for _, p := range direct {
				failed[p] = err
			}
		} else {
			// One request spoiled the batch (a prompt too long for the
			// context, say): run them one by one so only it fails.
			for _, p := range direct {
				var one stats
				if err := e.directAll(ctx, []*plan{p}, &one); err != nil {
					failed[p] = err
				}
				st.add(one)
			}
		}
	}
	for _, p := range plans {
		if p == nil || p.strategy != Pivot {
			continue
		}
		pivot := p.req.PivotLanguage
		if pivot.IsZero() {
			pivot = MustLookupLanguage("en")
		}
		if err := e.pivot(ctx, p.outs, p.mk(pivot), &st); err != nil {
			failed[p] = err
		}
	}
	took := st.timings(time.Since(start))
	for i, p := range plans {
		if p == nil {
			continue
		}
		if err := failed[p]; err != nil {
			errs[i] = err
			continue
		}
		req := p.req
		res := &Result{Mode: p.mode, Detail: p.detail, Model: e.opt.ModelID, Width: req.Image.Width(), Height: req.Image.Height()}
		for _, o := range p.outs {
			res.Captions = append(res.Captions, o.cap)
		}
		res.Timings = took
		results[i] = res
	}
	return results, errs
}

// plan is one validated Describe request with its outputs.
type plan struct {
	req      *Request
	mode     Mode
	detail   Detail
	strategy Strategy
	outs     []*output
	mk       func(Language) *output
}

// plan validates a request and prepares its image and outputs.
func (e *Engine) plan(req *Request) (*plan, error) {
	if req == nil || req.Image == nil {
		return nil, &BadRequestError{Field: "image", Msg: "no image given"}
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
	if req.Question != "" && req.Instruction != "" {
		return nil, &BadRequestError{Field: "question", Msg: "a question and a custom instruction exclude each other"}
	}
	for tag := range req.Instructions {
		if _, err := LookupLanguage(tag); err != nil {
			return nil, err
		}
	}
	img, tokens, err := e.prepare(req.Image)
	if err != nil {
		return nil, err
	}
	mode := ModeBrief
	if detail == Detailed {
		mode = ModeDetailed
	}
	if req.Question != "" {
		mode = ModeQuestion
	}
	gen := req.Generation
	if gen.MaxTokens == 0 {
		gen.MaxTokens = map[Mode]int{ModeBrief: 96, ModeDetailed: 384, ModeQuestion: 128}[mode]
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
	p := &plan{req: req, mode: mode, detail: detail, strategy: strategy, mk: mk}
	for _, l := range langs {
		p.outs = append(p.outs, mk(l))
	}
	return p, nil
}

// directAll runs the direct strategy (and Auto's fallback) for the plans
// together: first answers of every image in one batch, then the strict
// retries of the wrong-language ones in one batch, then the pivot
// fallback image by image.
func (e *Engine) directAll(ctx context.Context, plans []*plan, st *stats) error {
	var outs []*output
	noRetry := map[*output]bool{}
	for _, p := range plans {
		outs = append(outs, p.outs...)
		for _, o := range p.outs {
			noRetry[o] = p.req.NoRetry
		}
	}
	if err := e.direct(ctx, outs, func(o *output) bool { return !noRetry[o] }, st); err != nil {
		return err
	}
	for _, p := range plans {
		if p.strategy != Auto || p.req.NoRetry {
			continue
		}
		var still []*output
		for _, o := range p.outs {
			if !o.cap.Detected.Match {
				still = append(still, o)
			}
		}
		if len(still) == 0 {
			continue
		}
		pivotLang := p.req.PivotLanguage
		if pivotLang.IsZero() {
			pivotLang = MustLookupLanguage("en")
		}
		if err := e.pivot(ctx, still, p.mk(pivotLang), st); err != nil {
			return err
		}
	}
	return nil
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

// prepare resizes an image for the projector and estimates its tokens.
func (e *Engine) prepare(img *vision.Image) (*llama.Image, int, error) {
	if e.proj == nil {
		return nil, 0, ErrNoVision
	}
	if max(img.Width(), img.Height()) > e.opt.MaxSide {
		var err error
		if img, err = vision.ResizeMax(img, e.opt.MaxSide, vision.Lanczos); err != nil {
			return nil, 0, err
		}
	}
	rgb := img.RGB()
	h := rgb.Hash()
	li := &llama.Image{RGB: rgb.Pix, Width: rgb.Width, Height: rgb.Height, ID: fmt.Sprintf("%x", h[:16])}
	n, _, err := e.proj.ImageTokens(rgb.Width, rgb.Height)
	if err != nil {
		return nil, 0, err
	}
	return li, n + 16, nil
}

// imagePrefix is the chat text up to and including the image marker.
func (e *Engine) imagePrefix() (string, error) {
	p, _, err := e.chatPrefix("", true)
	return p, err
}

// branchOf turns an output into a branch of its image prefix.
func (e *Engine) branchOf(o *output, strict bool) (*branch, error) {
	instr, err := o.instruction(strict)
	if err != nil {
		return nil, err
	}
	_, suffix, err := e.chatPrefix(instr, o.image != nil)
	if err != nil {
		return nil, err
	}
	return &branch{suffix: suffix, maxTokens: o.gen.MaxTokens, sampling: o.gen.Sampling, onText: o.onText, prompt: e.estimate(suffix)}, nil
}

// ask runs one attempt for each output, sharing prefixes per image.
func (e *Engine) ask(ctx context.Context, outs []*output, strict bool, st *stats) error {
	var items []*item
	byImage := map[*llama.Image]*item{}
	bs := make([]*branch, len(outs))
	for i, o := range outs {
		b, err := e.branchOf(o, strict)
		if err != nil {
			return err
		}
		bs[i] = b
		if o.image == nil {
			items = append(items, &item{branches: []*branch{b}})
			continue
		}
		it, ok := byImage[o.image]
		if !ok {
			it = &item{image: o.image, prefix: o.prefix, tokens: o.tokens}
			byImage[o.image] = it
			items = append(items, it)
		}
		it.branches = append(it.branches, b)
	}
	if err := e.run(ctx, items, st); err != nil {
		return err
	}
	for i, o := range outs {
		e.finish(o, bs[i].result)
		o.cap.Retried = strict
	}
	return nil
}

// finish cleans and checks one output's text.
func (e *Engine) finish(o *output, c llama.Completion) {
	raw := strings.TrimSpace(c.Text)
	text := Clean(raw, o.lang, CleanOptions{Truncated: c.Reason == llama.StopLength || c.Reason == llama.StopContext})
	if o.raw {
		text = raw
	}
	o.cap = Caption{Language: o.lang, Text: text, Raw: raw, Tokens: len(c.Tokens), Stop: c.Reason}
	o.cap.Detected = e.detector.Detect(text, o.lang)
}

// direct asks each output directly, then asks the wrong-language answers
// that retry accepts (nil: none) once more with the strict instruction,
// all of them in one batch.
func (e *Engine) direct(ctx context.Context, outs []*output, retry func(*output) bool, st *stats) error {
	if err := e.ask(ctx, outs, false, st); err != nil {
		return err
	}
	if retry == nil {
		return nil
	}
	var wrong []*output
	for _, o := range outs {
		if !o.cap.Detected.Match && retry(o) {
			wrong = append(wrong, o)
		}
	}
	if len(wrong) == 0 {
		return nil
	}
	return e.ask(ctx, wrong, true, st)
}

// pivot captions in the pivot language, then translates into each
// output's language with a text-only prompt.
func (e *Engine) pivot(ctx context.Context, outs []*output, pv *output, st *stats) error {
	// An output already in the pivot language is answered directly.
	var targets []*output
	for _, o := range outs {
		if o.lang.Tag == pv.lang.Tag {
			pv = o
		} else {
			targets = append(targets, o)
		}
	}
	if err := e.ask(ctx, []*output{pv}, false, st); err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	source := pv.cap.Text
	trans := make([]*output, len(targets))
	for i, o := range targets {
		lang := o.lang
		trans[i] = &output{
			lang: lang,
			instruction: func(strict bool) (string, error) {
				vars := map[string]string{"source_language": pv.lang.English, "text": source}
				if strict {
					return e.tmpl.RenderStrict(lang, ModeTranslate, vars)
				}
				return e.tmpl.Render(lang, ModeTranslate, vars)
			},
			gen:    Generation{MaxTokens: max(o.gen.MaxTokens, 2*pv.cap.Tokens+16), Sampling: o.gen.Sampling},
			raw:    o.raw,
			onText: o.onText,
		}
	}
	if err := e.ask(ctx, trans, false, st); err != nil {
		return err
	}
	for i, o := range targets {
		o.cap = trans[i].cap
		o.cap.Pivoted = true
	}
	return nil
}

// always accepts every output for a retry.
func always(*output) bool { return true }

// retryUnless is always, or nil (no retries) when noRetry is set.
func retryUnless(noRetry bool) func(*output) bool {
	if noRetry {
		return nil
	}
	return always
}
