package caption

import (
	"slices"
	"strings"

	"github.com/capgen/capgen/llama"
)

// The strategy flows: how a request's outputs become groups of branches
// (ask), and which step follows which: direct answers with strict retries
// of wrong-language ones, the pivot strategy, and Auto's pivot fallback.
// The scheduler (scheduler.go) runs what they return.

// planFlow is the work of one request: the direct answers with their
// strict retries (and Auto's pivot fallback for those still in the wrong
// language), or the pivot strategy; then every caption is settled under
// the request's mismatch policy and done is called.
func (e *Engine) planFlow(j *job, p *plan, done func()) ([]*unit, error) {
	pivotLang := p.req.PivotLanguage
	if pivotLang.IsZero() {
		pivotLang = MustLookupLanguage("en")
	}
	retry := p.policy.retries() && !p.req.NoRetry
	finish := settled(p.outs, p.policy, done)
	if p.req.Ground || p.req.DropUngrounded {
		finish = func() ([]*unit, error) {
			settle(p.outs, p.policy)
			return e.groundFlow(j, p.outs, p.req.DropUngrounded, end(done))
		}
	}
	if p.strategy == Pivot {
		return e.pivotFlow(j, p.outs, p.mk(pivotLang), retry, finish)
	}
	return e.directFlow(j, p.outs, retry, func() ([]*unit, error) {
		if p.strategy != Auto || !retry {
			return finish()
		}
		var still []*output
		for _, o := range p.outs {
			if !o.cap.Detected.Match {
				still = append(still, o)
			}
		}
		if len(still) == 0 {
			return finish()
		}
		return e.pivotFlow(j, still, p.mk(pivotLang), retry, finish)
	})
}

// settled is the last step of a job: its outputs' captions get their
// final status under policy, then done is called.
func settled(outs []*output, policy OnMismatch, done func()) func() ([]*unit, error) {
	return func() ([]*unit, error) {
		settle(outs, policy)
		done()
		return nil, nil
	}
}

// settle gives each output's caption its final status.
func settle(outs []*output, policy OnMismatch) {
	for _, o := range outs {
		o.cap.settle(policy)
	}
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
	return &branch{suffix: suffix, maxTokens: o.gen.MaxTokens, sampling: o.gen.Sampling, stop: o.gen.Stop, force: o.force, onText: o.onText, prompt: e.estimate(suffix)}, nil
}

// ask turns one attempt for each output into units of work, one per image
// (its outputs are branches of the shared prefix) and one per text-only
// output; when all are answered, the outputs are finished and next gives
// the job's next units.
func (e *Engine) ask(j *job, outs []*output, strict bool, next func() ([]*unit, error)) ([]*unit, error) {
	if len(outs) == 0 {
		return then(next)
	}
	g := &group{job: j, outs: outs, strict: strict, left: len(outs), then: next, bs: make([]*branch, len(outs))}
	var units []*unit
	byImage := map[*llama.Image]*unit{}
	for i, o := range outs {
		b, err := e.branchOf(o, strict)
		if err != nil {
			return nil, err
		}
		b.group = g
		g.bs[i] = b
		if o.image == nil {
			units = append(units, &unit{branches: []*branch{b}})
			continue
		}
		it, ok := byImage[o.image]
		if !ok {
			it = &unit{image: o.image, prefix: o.prefix, tokens: o.tokens}
			byImage[o.image] = it
			units = append(units, it)
		}
		it.branches = append(it.branches, b)
	}
	return units, nil
}

// finish cleans and checks one answer of an output and records it as an
// attempt.
func (e *Engine) finish(o *output, c llama.Completion, strict bool) {
	raw := strings.TrimSpace(c.Text)
	text := Clean(raw, o.lang, CleanOptions{Truncated: c.Reason == llama.StopLength || c.Reason == llama.StopContext})
	if o.raw {
		text = raw
	}
	if o.force != nil {
		o.logprobs = c.LogProbs // a scored text: nothing to clean or check
		return
	}
	before := o.cap.Attempts
	o.cap = Caption{Language: o.lang, Text: text, Raw: raw, Tokens: len(c.Tokens), Stop: c.Reason, Retried: strict}
	o.cap.Detected = e.detector.Detect(text, o.lang)
	o.cap.Attempts = append(before, Attempt{Step: o.stepName(strict), Language: o.lang, Text: text, Detected: o.cap.Detected})
}

// stepName names an attempt of o for Attempt.Step.
func (o *output) stepName(strict bool) string {
	switch {
	case o.step == "" && strict:
		return "strict"
	case o.step == "":
		return "direct"
	case strict:
		return o.step + "-strict"
	}
	return o.step
}

// directFlow asks for outs and, with retry, asks again with the strict
// prompt for those in the wrong language; next follows it.
func (e *Engine) directFlow(j *job, outs []*output, retry bool, next func() ([]*unit, error)) ([]*unit, error) {
	return e.ask(j, outs, false, func() ([]*unit, error) {
		var wrong []*output
		if retry {
			for _, o := range outs {
				if !o.cap.Detected.Match {
					wrong = append(wrong, o)
				}
			}
		}
		return e.ask(j, wrong, true, next)
	})
}

// pivotFlow captions in the pivot language, then translates into each
// output's language with a text-only prompt; both steps are checked and
// retried like direct answers. A translation keeps the output's earlier
// attempts, and the pivot caption is reported next to it (Caption.Pivot).
// next follows it.
func (e *Engine) pivotFlow(j *job, outs []*output, pv *output, retry bool, next func() ([]*unit, error)) ([]*unit, error) {
	// An output already in the pivot language is answered directly.
	pv.step = "pivot"
	var targets []*output
	for _, o := range outs {
		if o.lang.Tag == pv.lang.Tag {
			pv = o
		} else {
			targets = append(targets, o)
		}
	}
	return e.directFlow(j, []*output{pv}, retry, func() ([]*unit, error) {
		source := pv.cap.Text
		pivot := Attempt{Step: "pivot", Language: pv.lang, Text: source, Detected: pv.cap.Detected}
		trans := make([]*output, len(targets))
		for i, o := range targets {
			lang := o.lang
			trans[i] = &output{
				lang: lang,
				step: "translate",
				instruction: func(strict bool) (string, error) {
					vars := map[string]string{"source_language": pv.lang.English, "text": source}
					if strict {
						return e.tmpl.RenderStrict(lang, ModeTranslate, vars)
					}
					return e.tmpl.Render(lang, ModeTranslate, vars)
				},
				gen:    Generation{MaxTokens: max(o.gen.MaxTokens, 2*pv.cap.Tokens+16), Sampling: o.gen.Sampling, Stop: o.gen.Stop},
				raw:    o.raw,
				onText: o.onText,
			}
		}
		return e.directFlow(j, trans, retry, func() ([]*unit, error) {
			for i, o := range targets {
				before := o.cap.Attempts
				o.cap = trans[i].cap
				o.cap.Pivoted, o.cap.Pivot = true, &pivot
				o.cap.Attempts = slices.Concat(before, []Attempt{pivot}, trans[i].cap.Attempts)
			}
			return then(next)
		})
	})
}

// instruction renders a template mode's instruction for lang, strict or
// not, with vars.
func (e *Engine) instruction(lang Language, mode Mode, vars map[string]string) func(strict bool) (string, error) {
	return func(strict bool) (string, error) {
		if strict {
			return e.tmpl.RenderStrict(lang, mode, vars)
		}
		return e.tmpl.Render(lang, mode, vars)
	}
}
