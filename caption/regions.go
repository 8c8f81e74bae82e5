package caption

import (
	"context"
	"fmt"
	"strconv"

	"github.com/capgen/capgen/vision"
)

// RegionsRequest asks for captions of boxes of one image.
type RegionsRequest struct {
	Image *vision.Image
	// Boxes in original-image pixels (see vision.FromFormat for the box
	// conventions models use).
	Boxes []vision.Box
	// Words is the word budget of each caption (FlexCap's length
	// conditioning); 0 means 10.
	Words int
	// Margin widens each box by this fraction of its size on every side
	// before cropping, so the model sees the region in context (the focal
	// crop of Describe Anything); 0 means 0.15, negative means none.
	Margin     float64
	Languages  []Language
	Generation Generation
	Raw        bool
	// OnMismatch and NoRetry are those of Request.
	OnMismatch OnMismatch
	NoRetry    bool
}

// Regions captions each box from its focal crop. The crops are separate
// image prefixes decoded together; languages of one box share its crop's
// encode.
func (e *Engine) Regions(ctx context.Context, req *RegionsRequest) (*RegionsResult, error) {
	res, err := e.one(ctx, req)
	return asResult[*RegionsResult](res), err
}

// regionsWork is a Regions request in a stream.
type regionsWork struct {
	req     *RegionsRequest
	planned bool
	res     RegionsResult // without captions
	outs    []*output
	owner   []int // the region of each output
}

func (r *RegionsRequest) work() work { return &regionsWork{req: r} }

func (w *regionsWork) plan(e *Engine) error {
	if w.planned {
		return nil
	}
	req := w.req
	if req == nil || req.Image == nil {
		return &BadRequestError{Field: "image", Msg: "no image given"}
	}
	if len(req.Boxes) == 0 {
		return &BadRequestError{Field: "boxes", Msg: "no boxes given"}
	}
	if len(req.Boxes) > MaxBoxes {
		return &BadRequestError{Field: "boxes", Msg: fmt.Sprintf("%d boxes; the limit is %d", len(req.Boxes), MaxBoxes)}
	}
	if err := checkGeneration(req.Generation); err != nil {
		return err
	}
	if _, err := ParseOnMismatch(string(req.OnMismatch)); err != nil {
		return err
	}
	langs, err := e.languages(req.Languages)
	if err != nil {
		return err
	}
	words := req.Words
	if words == 0 {
		words = defaultWords
	}
	if words < 1 || words > 200 {
		return &BadRequestError{Field: "words", Msg: fmt.Sprintf("word budget %d outside 1..200", words)}
	}
	margin := req.Margin
	switch {
	case margin == 0:
		margin = 0.15
	case margin < 0:
		margin = 0
	}
	gen := req.Generation
	if gen.MaxTokens == 0 {
		gen.MaxTokens = defaultMaxTokens(ModeRegion, words)
	}
	prefix, err := e.imagePrefix()
	if err != nil {
		return err
	}
	w.res = RegionsResult{Model: e.opt.ModelID, Width: req.Image.Width(), Height: req.Image.Height()}
	for i, box := range req.Boxes {
		crop, actual, err := vision.Crop(req.Image, box, margin)
		if err != nil {
			return fmt.Errorf("caption: box %d (%v): %w", i, box, err)
		}
		img, tokens, err := e.prepare(crop)
		if err != nil {
			return err
		}
		w.res.Regions = append(w.res.Regions, RegionCaption{Index: i, Box: box, Crop: actual})
		for _, lang := range langs {
			o := &output{lang: lang, image: img, prefix: prefix, tokens: tokens, gen: gen, raw: req.Raw,
				instruction: e.instruction(lang, ModeRegion, map[string]string{"words": strconv.Itoa(words)})}
			w.outs = append(w.outs, o)
			w.owner = append(w.owner, i)
		}
	}
	w.planned = true
	return nil
}

func (w *regionsWork) flow(e *Engine, j *job, done func()) ([]*unit, error) {
	policy, _ := ParseOnMismatch(string(w.req.OnMismatch)) // checked by plan
	return e.directFlow(j, w.outs, policy.retries() && !w.req.NoRetry, settled(w.outs, policy, done))
}

func (w *regionsWork) result(e *Engine, took Timings) any {
	res := w.res
	res.Regions = append([]RegionCaption(nil), w.res.Regions...)
	for i, o := range w.outs {
		r := &res.Regions[w.owner[i]]
		r.Captions = append(r.Captions, o.cap)
	}
	res.Timings = took
	return &res
}
