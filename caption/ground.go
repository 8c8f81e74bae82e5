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

// Ground scores the sentences of req.Text against req.Image. It takes one
// of the engine's contexts for the two short evaluations.
func (e *Engine) Ground(ctx context.Context, req *GroundRequest) (*GroundResult, error) {
	if err := e.checkOpen(); err != nil {
		return nil, err
	}
	if req == nil || req.Image == nil {
		return nil, &BadRequestError{Field: "image", Msg: "no image given"}
	}
	if err := checkText("text", req.Text); err != nil {
		return nil, err
	}
	lang := req.Language
	if lang.IsZero() {
		lang = MustLookupLanguage("en")
	}
	sentences := SplitSentences(req.Text)
	if len(sentences) == 0 {
		return &GroundResult{}, nil
	}
	instr := req.Instruction
	var err error
	if instr == "" {
		if instr, err = e.tmpl.Render(lang, ModeBrief, nil); err != nil {
			return nil, err
		}
	} else if instr, err = e.tmpl.RenderCustom(lang, instr); err != nil {
		return nil, err
	}
	img, _, err := e.prepare(req.Image)
	if err != nil {
		return nil, err
	}
	// Token boundaries of the sentences within the whole text, so that
	// each is scored as the tokenizer splits the caption.
	text := strings.Join(sentences, " ")
	var bounds []int
	end := 0
	for _, s := range sentences {
		if end > 0 {
			end++ // the space
		}
		end += len(s)
		toks, err := e.model.Tokenize(text[:end], llama.TokenizeOptions{})
		if err != nil {
			return nil, err
		}
		bounds = append(bounds, len(toks))
	}
	all, err := e.model.Tokenize(text, llama.TokenizeOptions{})
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return &GroundResult{}, nil
	}
	lc, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer e.release(lc)
	if err := lc.Clear(); err != nil {
		return nil, err
	}
	score := func(seq int, withImage bool) ([]float32, error) {
		prefix, suffix, err := e.chatPrefix(instr, withImage)
		if err != nil {
			return nil, err
		}
		if withImage {
			if err := lc.Append(ctx, seq, llama.Prompt{Text: prefix, Images: []llama.Image{*img}, AddSpecial: true}); err != nil {
				return nil, err
			}
		}
		if err := lc.Append(ctx, seq, llama.Prompt{Text: suffix, AddSpecial: !withImage}); err != nil {
			return nil, err
		}
		return lc.Score(ctx, seq, all)
	}
	with, err := score(0, true)
	if err != nil {
		return nil, err
	}
	without, err := score(1, false)
	if err != nil {
		return nil, err
	}
	res := &GroundResult{}
	start, total := 0, 0
	for i, s := range sentences {
		stop := min(bounds[i], len(all))
		if i == len(sentences)-1 {
			stop = len(all)
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
	return res, nil
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
