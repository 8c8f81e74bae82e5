package caption

import (
	"context"
	"strings"
	"unicode"

	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

// Grounding: does the image support what a caption says? The model itself
// answers, with no second model: each sentence's mean token
// log-probability after the image and the caption's prompt, against the
// same text after the prompt alone. A sentence the image makes more likely
// is grounded; one the image does not raise (a colour or an object the
// model would have said anyway, or that contradicts what it sees) is
// flagged. This is the likelihood-ratio idea of the CLIPScore and
// hallucination-detection literature, computed with the captioner.

// A sentence is grounded when the image raises its mean log-probability
// per token by at least GroundThreshold (the image supports it as a
// whole) and lowers none of its tokens by more than -MinTokenThreshold
// (no word contradicts the image). Chosen on the toy model's scenes
// (TestGroundToyMeasure, docs/evaluation.md): one wrong colour in a long
// sentence barely moves the mean but costs its token 2-9 nats.
const (
	GroundThreshold   = 0.25
	MinTokenThreshold = -1.5
)

// GroundRequest asks whether the sentences of Text are supported by Image.
type GroundRequest struct {
	Image    *vision.Image
	Language Language // of Text; zero means English
	Text     string
	// Instruction is the prompt Text answered; "" means the brief caption
	// template of Language.
	Instruction string
}

// SentenceGrounding is the verdict on one sentence.
type SentenceGrounding struct {
	Text string `json:"text"`
	// WithImage and WithoutImage are the mean log-probabilities per token
	// (natural log) of the sentence after the prompt with and without the
	// image; Gain is their difference.
	WithImage    float64 `json:"with_image"`
	WithoutImage float64 `json:"without_image"`
	Gain         float64 `json:"gain"`
	// MinGain is the gain of the sentence's least supported token: one
	// wrong word in a long sentence barely moves the mean, but the image
	// makes that word far less likely.
	MinGain  float64 `json:"min_gain"`
	Grounded bool    `json:"grounded"`
	Tokens   int     `json:"tokens"`
}

// GroundResult holds every sentence's verdict and their token-weighted
// mean gain.
type GroundResult struct {
	Sentences []SentenceGrounding `json:"sentences"`
	Gain      float64             `json:"gain"`
	Flagged   int                 `json:"flagged"`
}

// Ground scores the sentences of req.Text against req.Image, in a stream
// of its own (GroundRequest is also a Task for Engine.Stream, and
// Request.Ground grounds captions in the batch that writes them).
func (e *Engine) Ground(ctx context.Context, req *GroundRequest) (*GroundResult, error) {
	res, err := e.one(ctx, req)
	return asResult[*GroundResult](res), err
}

// grounding is one text to score: its two scored outputs (after the image
// and the prompt, after the prompt alone), its sentences and where they
// end among the tokens.
type grounding struct {
	with, without *output
	sentences     []string
	bounds        []int
}

// newGrounding prepares the scoring of text in lang after instr, with the
// image prefix (img, prefix, tokens) and without it: with no image, or,
// when base is set, with base (a blank image of the same size) instead.
func (e *Engine) newGrounding(lang Language, instr, text string, img *llama.Image, prefix string, tokens int, base *llama.Image) (*grounding, error) {
	g := &grounding{sentences: SplitSentences(text)}
	if len(g.sentences) == 0 {
		return g, nil
	}
	joined := strings.Join(g.sentences, " ")
	end := 0
	for _, s := range g.sentences {
		if end > 0 {
			end++ // the space
		}
		end += len(s)
		toks, err := e.model.Tokenize(joined[:end], llama.TokenizeOptions{})
		if err != nil {
			return nil, err
		}
		g.bounds = append(g.bounds, len(toks))
	}
	all, err := e.model.Tokenize(joined, llama.TokenizeOptions{})
	if err != nil || len(all) == 0 {
		return g, err
	}
	ask := func(bool) (string, error) { return instr, nil }
	g.with = &output{lang: lang, image: img, prefix: prefix, tokens: tokens, instruction: ask, force: all, gen: Generation{MaxTokens: len(all)}}
	g.without = &output{lang: lang, instruction: ask, force: all, gen: Generation{MaxTokens: len(all)}}
	if base != nil {
		g.without.image, g.without.prefix, g.without.tokens = base, prefix, tokens
	}
	return g, nil
}

// outputs are the two scored outputs (none for an empty text).
func (g *grounding) outputs() []*output {
	if g.with == nil {
		return nil
	}
	return []*output{g.with, g.without}
}

// result turns the two outputs' log-probabilities into the verdicts.
func (g *grounding) result() *GroundResult {
	res := &GroundResult{}
	if g.with == nil || len(g.with.logprobs) == 0 || len(g.without.logprobs) != len(g.with.logprobs) {
		return res
	}
	with, without := g.with.logprobs, g.without.logprobs
	start, total := 0, 0
	for i, s := range g.sentences {
		stop := min(g.bounds[i], len(with))
		if i == len(g.sentences)-1 {
			stop = len(with)
		}
		n := stop - start
		if n <= 0 {
			continue
		}
		var a, b float64
		minGain := 0.0
		for k := start; k < stop; k++ {
			a += float64(with[k])
			b += float64(without[k])
			if d := float64(with[k] - without[k]); k == start || d < minGain {
				minGain = d
			}
		}
		sg := SentenceGrounding{Text: s, WithImage: a / float64(n), WithoutImage: b / float64(n), Tokens: n, MinGain: minGain}
		sg.Gain = sg.WithImage - sg.WithoutImage
		sg.Grounded = sg.Gain >= GroundThreshold && sg.MinGain >= MinTokenThreshold
		if !sg.Grounded {
			res.Flagged++
		}
		res.Gain += sg.Gain * float64(n)
		total += n
		res.Sentences = append(res.Sentences, sg)
		start = stop
	}
	if total > 0 {
		res.Gain /= float64(total)
	}
	return res
}

// groundWork is a GroundRequest in a stream.
type groundWork struct {
	req *GroundRequest
	g   *grounding
}

func (r *GroundRequest) work() work { return &groundWork{req: r} }

func (w *groundWork) plan(e *Engine) error {
	if w.g != nil {
		return nil
	}
	req := w.req
	if req == nil || req.Image == nil {
		return &BadRequestError{Field: "image", Msg: "no image given"}
	}
	if err := checkText("text", req.Text); err != nil {
		return err
	}
	if err := checkText("instruction", req.Instruction); err != nil {
		return err
	}
	lang := req.Language
	if lang.IsZero() {
		lang = MustLookupLanguage("en")
	}
	var instr string
	var err error
	if req.Instruction == "" {
		instr, err = e.tmpl.Render(lang, ModeBrief, nil)
	} else {
		instr, err = e.tmpl.RenderCustom(lang, req.Instruction)
	}
	if err != nil {
		return err
	}
	img, tokens, err := e.prepare(req.Image)
	if err != nil {
		return err
	}
	prefix, err := e.imagePrefix()
	if err != nil {
		return err
	}
	w.g, err = e.newGrounding(lang, instr, req.Text, img, prefix, tokens, nil)
	return err
}

func (w *groundWork) flow(e *Engine, j *job, done func()) ([]*unit, error) {
	return e.ask(j, w.g.outputs(), false, end(done))
}

func (w *groundWork) result(*Engine, Timings) any { return w.g.result() }

// groundFlow grounds the captions of outs (those with text) in the same
// batch: each caption becomes two scored branches, one of its image's
// prefix and one text-only; with drop, ungrounded sentences leave the
// caption's text.
func (e *Engine) groundFlow(j *job, outs []*output, drop bool, next func() ([]*unit, error)) ([]*unit, error) {
	var gs []*grounding
	var owners []*output
	var scored []*output
	for _, o := range outs {
		if o.cap.Failed() || strings.TrimSpace(o.cap.Text) == "" || o.image == nil {
			continue
		}
		instr, err := o.instruction(false)
		if err != nil {
			return nil, err
		}
		g, err := e.newGrounding(o.lang, instr, o.cap.Text, o.image, o.prefix, o.tokens, nil)
		if err != nil {
			return nil, err
		}
		gs, owners = append(gs, g), append(owners, o)
		scored = append(scored, g.outputs()...)
	}
	return e.ask(j, scored, false, func() ([]*unit, error) {
		for i, g := range gs {
			o := owners[i]
			res := g.result()
			o.cap.Grounding = res
			if drop && res.Flagged > 0 {
				var kept []string
				for _, s := range res.Sentences {
					if s.Grounded {
						kept = append(kept, s.Text)
					}
				}
				o.cap.Text = strings.Join(kept, " ")
			}
		}
		return then(next)
	})
}

// SplitSentences splits a caption into sentences at ., ! and ? followed by
// a space (or the end), and after 。！？ (which need none); a period
// between digits ("3.5") does not end one.
func SplitSentences(text string) []string {
	var out []string
	rs := []rune(strings.TrimSpace(text))
	start := 0
	for i, r := range rs {
		end := false
		switch r {
		case '。', '！', '？', '।':
			end = true
		case '.', '!', '?':
			end = i+1 == len(rs) || unicode.IsSpace(rs[i+1])
		}
		if end {
			if s := strings.TrimSpace(string(rs[start : i+1])); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	if s := strings.TrimSpace(string(rs[start:])); s != "" {
		out = append(out, s)
	}
	return out
}
