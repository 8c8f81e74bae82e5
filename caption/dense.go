package caption

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/capgen/capgen/vision"
)

// DenseRequest asks for a dense description: Pyramid of Captions' global
// caption, captions of grid tiles, and a merge of both by the same model.
type DenseRequest struct {
	Image *vision.Image
	// Rows x Cols is the tile grid; 0 means 2x2.
	Rows, Cols int
	// SecondLevel adds a finer grid of 2*Rows x 2*Cols tiles.
	SecondLevel bool
	// Overlap is the fraction by which neighbouring tiles overlap.
	Overlap float64
	// GlobalDetail is the detail of the global caption; "" means detailed.
	GlobalDetail Detail
	// TileMode is the template of tile captions: ModeTile (the default),
	// ModeRegion or ModeBrief.
	TileMode Mode
	// TileWords is the word budget of ModeRegion tile captions; 0 means
	// 10, as for Regions.
	TileWords  int
	Languages  []Language
	Generation Generation // for the merge step
	Raw        bool
}

// Dense describes an image densely in each requested language.
func (e *Engine) Dense(ctx context.Context, req *DenseRequest) (*DenseResult, error) {
	start := time.Now()
	if err := e.checkOpen(); err != nil {
		return nil, err
	}
	if req == nil || req.Image == nil {
		return nil, &BadRequestError{Field: "image", Msg: "no image given"}
	}
	langs, err := e.languages(req.Languages)
	if err != nil {
		return nil, err
	}
	rows, cols := req.Rows, req.Cols
	if rows == 0 && cols == 0 {
		rows, cols = 2, 2
	}
	if rows < 1 || cols < 1 || rows > 8 || cols > 8 {
		return nil, &BadRequestError{Field: "grid", Msg: fmt.Sprintf("grid %dx%d outside 1x1..8x8", rows, cols)}
	}
	tileWords := req.TileWords
	if tileWords == 0 {
		tileWords = defaultWords
	}
	if tileWords < 1 || tileWords > 200 {
		return nil, &BadRequestError{Field: "tile words", Msg: fmt.Sprintf("%d outside 1..200", req.TileWords)}
	}
	tileMode := req.TileMode
	if tileMode == "" {
		tileMode = ModeTile
	}
	if tileMode != ModeTile && tileMode != ModeRegion && tileMode != ModeBrief {
		return nil, &BadRequestError{Field: "tile mode", Msg: "use tile, region or brief"}
	}
	globalMode := ModeDetailed
	if req.GlobalDetail == Brief {
		globalMode = ModeBrief
	}
	prefix, err := e.imagePrefix()
	if err != nil {
		return nil, err
	}
	res := &DenseResult{Model: e.opt.ModelID, Width: req.Image.Width(), Height: req.Image.Height()}

	tiles, err := vision.Grid(req.Image, rows, cols, req.Overlap)
	if err != nil {
		return nil, err
	}
	if req.SecondLevel {
		fine, err := vision.Grid(req.Image, 2*rows, 2*cols, req.Overlap)
		if err != nil {
			return nil, err
		}
		for i := range fine {
			fine[i].Level = 1
		}
		tiles = append(tiles, fine...)
	}

	whole, wholeTokens, err := e.prepare(req.Image)
	if err != nil {
		return nil, err
	}
	simple := func(lang Language, mode Mode, vars map[string]string) func(bool) (string, error) {
		return func(strict bool) (string, error) {
			if strict {
				return e.tmpl.RenderStrict(lang, mode, vars)
			}
			return e.tmpl.Render(lang, mode, vars)
		}
	}
	var outs []*output
	globals := map[string]*output{}
	for _, lang := range langs {
		o := &output{lang: lang, image: whole, prefix: prefix, tokens: wholeTokens, raw: req.Raw,
			gen:         Generation{MaxTokens: defaultMaxTokens(globalMode, 0), Sampling: req.Generation.Sampling},
			instruction: simple(lang, globalMode, nil)}
		globals[lang.Tag] = o
		outs = append(outs, o)
	}
	tileOuts := make([][]*output, len(tiles))
	for ti, t := range tiles {
		img, tokens, err := e.prepare(t.Image)
		if err != nil {
			return nil, err
		}
		tr, tc, trows, tcols := t.Row, t.Col, rows, cols
		if t.Level == 1 {
			trows, tcols = 2*rows, 2*cols
		}
		for _, lang := range langs {
			var vars map[string]string
			switch tileMode {
			case ModeTile:
				vars = map[string]string{"position": e.tmpl.Position(lang, tr, tc, trows, tcols)}
			case ModeRegion:
				vars = map[string]string{"words": strconv.Itoa(tileWords)}
			}
			maxTok := defaultMaxTokens(tileMode, tileWords)
			o := &output{lang: lang, image: img, prefix: prefix, tokens: tokens, raw: req.Raw,
				gen: Generation{MaxTokens: maxTok, Sampling: req.Generation.Sampling}, instruction: simple(lang, tileMode, vars)}
			tileOuts[ti] = append(tileOuts[ti], o)
			outs = append(outs, o)
		}
	}
	var st stats
	if err := e.direct(ctx, outs, always, &st); err != nil {
		return nil, err
	}

	// Merge: one text-only prompt per language.
	merges := make([]*output, len(langs))
	for li, lang := range langs {
		var list strings.Builder
		for ti, t := range tiles {
			trows, tcols := rows, cols
			if t.Level == 1 {
				trows, tcols = 2*rows, 2*cols
			}
			fmt.Fprintf(&list, "- %s: %s\n", e.tmpl.Position(lang, t.Row, t.Col, trows, tcols), tileOuts[ti][li].cap.Text)
		}
		vars := map[string]string{"global": globals[lang.Tag].cap.Text, "tiles": strings.TrimRight(list.String(), "\n")}
		gen := req.Generation
		if gen.MaxTokens == 0 {
			gen.MaxTokens = defaultMaxTokens(ModeMerge, 0)
		}
		merges[li] = &output{lang: lang, gen: gen, raw: req.Raw, instruction: simple(lang, ModeMerge, vars)}
	}
	if err := e.direct(ctx, merges, always, &st); err != nil {
		return nil, err
	}

	for _, lang := range langs {
		res.Global = append(res.Global, globals[lang.Tag].cap)
	}
	for ti, t := range tiles {
		tc := TileCaption{Row: t.Row, Col: t.Col, Level: t.Level, Box: t.Box}
		for _, o := range tileOuts[ti] {
			tc.Captions = append(tc.Captions, o.cap)
		}
		res.Tiles = append(res.Tiles, tc)
	}
	for _, m := range merges {
		res.Merged = append(res.Merged, m.cap)
	}
	res.Timings = st.timings(time.Since(start))
	return res, nil
}
