package caption

import (
	"context"
	"fmt"
	"strconv"
	"time"

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
	// NoRetry skips the stricter second attempt for wrong-language answers.
	NoRetry bool
}

// Regions captions each box from its focal crop. The crops are separate
// image prefixes decoded together; languages of one box share its crop's
// encode.
func (e *Engine) Regions(ctx context.Context, req *RegionsRequest) (*RegionsResult, error) {
	start := time.Now()
	if err := e.checkOpen(); err != nil {
		return nil, err
	}
	if req == nil || req.Image == nil {
		return nil, &BadRequestError{Field: "image", Msg: "no image given"}
	}
	if len(req.Boxes) == 0 {
		return nil, &BadRequestError{Field: "boxes", Msg: "no boxes given"}
	}
	langs, err := e.languages(req.Languages)
	if err != nil {
		return nil, err
	}
	words := req.Words
	if words == 0 {
		words = defaultWords
	}
	if words < 1 || words > 200 {
		return nil, &BadRequestError{Field: "words", Msg: fmt.Sprintf("word budget %d outside 1..200", words)}
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
		return nil, err
	}
	res := &RegionsResult{Model: e.opt.ModelID, Width: req.Image.Width(), Height: req.Image.Height()}
	var outs []*output
	owner := map[*output]int{}
	for i, box := range req.Boxes {
		crop, actual, err := vision.Crop(req.Image, box, margin)
		if err != nil {
			return nil, fmt.Errorf("caption: box %d (%v): %w", i, box, err)
		}
		img, tokens, err := e.prepare(crop)
		if err != nil {
			return nil, err
		}
		res.Regions = append(res.Regions, RegionCaption{Index: i, Box: box, Crop: actual})
		for _, lang := range langs {
			lang := lang
			o := &output{lang: lang, image: img, prefix: prefix, tokens: tokens, gen: gen, raw: req.Raw,
				instruction: func(strict bool) (string, error) {
					vars := map[string]string{"words": strconv.Itoa(words)}
					if strict {
						return e.tmpl.RenderStrict(lang, ModeRegion, vars)
					}
					return e.tmpl.Render(lang, ModeRegion, vars)
				}}
			owner[o] = i
			outs = append(outs, o)
		}
	}
	var st stats
	if err := e.direct(ctx, outs, retryUnless(req.NoRetry), &st); err != nil {
		return nil, err
	}
	for _, o := range outs {
		r := &res.Regions[owner[o]]
		r.Captions = append(r.Captions, o.cap)
	}
	res.Timings = st.timings(time.Since(start))
	return res, nil
}
