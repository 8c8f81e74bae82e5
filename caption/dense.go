package caption

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

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
	// OnMismatch and NoRetry are those of Request. A tile caption that
	// fails is left out of the merge.
	OnMismatch OnMismatch
	NoRetry    bool
	// Tile captions are grounded against their tiles before the merge
	// (TileCaption.Captions[].Grounding), and those with a sentence the
	// tile does not support are left out of it: a model asked about an
	// empty tile tends to name an object anyway. KeepUngroundedTiles
	// merges every tile caption (and skips the scoring).
	KeepUngroundedTiles bool
	// GroundMerged scores the merged descriptions' sentences against the
	// whole image (Merged[].Grounding); DropUngrounded also removes the
	// flagged ones.
	GroundMerged, DropUngrounded bool
}

// Dense describes an image densely in each requested language.
func (e *Engine) Dense(ctx context.Context, req *DenseRequest) (*DenseResult, error) {
	res, err := e.one(ctx, req)
	return asResult[*DenseResult](res), err
}

// denseWork is a Dense request in a stream: the global captions and the
// tile captions in one step, then the merges (text only) in the next.
type denseWork struct {
	req        *DenseRequest
	planned    bool
	rows, cols int
	langs      []Language
	tiles      []vision.Tile
	res        DenseResult // without captions
	globals    []*output   // per language
	tileOuts   [][]*output // per tile, per language
	merges     []*output   // per language
}

func (r *DenseRequest) work() work { return &denseWork{req: r} }

func (w *denseWork) plan(e *Engine) error {
	if w.planned {
		return nil
	}
	req := w.req
	if req == nil || req.Image == nil {
		return &BadRequestError{Field: "image", Msg: "no image given"}
	}
	langs, err := e.languages(req.Languages)
	if err != nil {
		return err
	}
	if err := checkGeneration(req.Generation); err != nil {
		return err
	}
	if _, err := ParseOnMismatch(string(req.OnMismatch)); err != nil {
		return err
	}
	rows, cols := req.Rows, req.Cols
	if rows == 0 && cols == 0 {
		rows, cols = 2, 2
	}
	if rows < 1 || cols < 1 || rows > 8 || cols > 8 {
		return &BadRequestError{Field: "grid", Msg: fmt.Sprintf("grid %dx%d outside 1x1..8x8", rows, cols)}
	}
	tileWords := req.TileWords
	if tileWords == 0 {
		tileWords = defaultWords
	}
	if tileWords < 1 || tileWords > 200 {
		return &BadRequestError{Field: "tile words", Msg: fmt.Sprintf("%d outside 1..200", req.TileWords)}
	}
	tileMode := req.TileMode
	if tileMode == "" {
		tileMode = ModeTile
	}
	if tileMode != ModeTile && tileMode != ModeRegion && tileMode != ModeBrief {
		return &BadRequestError{Field: "tile mode", Msg: "use tile, region or brief"}
	}
	globalMode := ModeDetailed
	if req.GlobalDetail == Brief {
		globalMode = ModeBrief
	}
	prefix, err := e.imagePrefix()
	if err != nil {
		return err
	}
	tiles, err := vision.Grid(req.Image, rows, cols, req.Overlap)
	if err != nil {
		return err
	}
	if req.SecondLevel {
		fine, err := vision.Grid(req.Image, 2*rows, 2*cols, req.Overlap)
		if err != nil {
			return err
		}
		for i := range fine {
			fine[i].Level = 1
		}
		tiles = append(tiles, fine...)
	}
	whole, wholeTokens, err := e.prepare(req.Image)
	if err != nil {
		return err
	}
	w.rows, w.cols, w.langs, w.tiles = rows, cols, langs, tiles
	w.res = DenseResult{Model: e.opt.ModelID, Width: req.Image.Width(), Height: req.Image.Height()}
	for _, lang := range langs {
		w.globals = append(w.globals, &output{lang: lang, image: whole, prefix: prefix, tokens: wholeTokens, raw: req.Raw,
			gen:         Generation{MaxTokens: defaultMaxTokens(globalMode, 0), Sampling: req.Generation.Sampling},
			instruction: e.instruction(lang, globalMode, nil)})
	}
	w.tileOuts = make([][]*output, len(tiles))
	for ti, t := range tiles {
		img, tokens, err := e.prepare(t.Image)
		if err != nil {
			return err
		}
		trows, tcols := w.grid(t)
		for _, lang := range langs {
			var vars map[string]string
			switch tileMode {
			case ModeTile:
				vars = map[string]string{"position": e.tmpl.Position(lang, t.Row, t.Col, trows, tcols)}
			case ModeRegion:
				vars = map[string]string{"words": strconv.Itoa(tileWords)}
			}
			w.tileOuts[ti] = append(w.tileOuts[ti], &output{lang: lang, image: img, prefix: prefix, tokens: tokens, raw: req.Raw,
				gen:         Generation{MaxTokens: defaultMaxTokens(tileMode, tileWords), Sampling: req.Generation.Sampling},
				instruction: e.instruction(lang, tileMode, vars)})
		}
	}
	w.planned = true
	return nil
}

// grid is the grid a tile belongs to.
func (w *denseWork) grid(t vision.Tile) (rows, cols int) {
	if t.Level == 1 {
		return 2 * w.rows, 2 * w.cols
	}
	return w.rows, w.cols
}

func (w *denseWork) flow(e *Engine, j *job, done func()) ([]*unit, error) {
	outs := slices.Clone(w.globals)
	for _, to := range w.tileOuts {
		outs = append(outs, to...)
	}
	policy, _ := ParseOnMismatch(string(w.req.OnMismatch)) // checked by plan
	retry := policy.retries() && !w.req.NoRetry
	return e.directFlow(j, outs, retry, func() ([]*unit, error) {
		settle(outs, policy)
		if w.req.KeepUngroundedTiles {
			return w.merge(e, j, retry, policy, done)
		}
		var tiles []*output
		for _, to := range w.tileOuts {
			tiles = append(tiles, to...)
		}
		return e.groundFlow(j, tiles, false, func() ([]*unit, error) { return w.merge(e, j, retry, policy, done) })
	})
}

// merge asks for the merged description in each language from the global
// caption and the tile captions that passed (the language check and,
// unless KeepUngroundedTiles, grounding).
func (w *denseWork) merge(e *Engine, j *job, retry bool, policy OnMismatch, done func()) ([]*unit, error) {
	{
		// Merge: one text-only prompt per language.
		w.merges = make([]*output, len(w.langs))
		for li, lang := range w.langs {
			var list strings.Builder
			for ti, t := range w.tiles {
				tc := w.tileOuts[ti][li].cap
				if tc.Failed() || (tc.Grounding != nil && tc.Grounding.Flagged > 0) {
					continue
				}
				trows, tcols := w.grid(t)
				fmt.Fprintf(&list, "- %s: %s\n", e.tmpl.Position(lang, t.Row, t.Col, trows, tcols), w.tileOuts[ti][li].cap.Text)
			}
			vars := map[string]string{"global": w.globals[li].cap.Text, "tiles": strings.TrimRight(list.String(), "\n")}
			gen := w.req.Generation
			if gen.MaxTokens == 0 {
				gen.MaxTokens = defaultMaxTokens(ModeMerge, 0)
			}
			w.merges[li] = &output{lang: lang, gen: gen, raw: w.req.Raw, instruction: e.instruction(lang, ModeMerge, vars)}
		}
		if !w.req.GroundMerged && !w.req.DropUngrounded {
			return e.directFlow(j, w.merges, retry, settled(w.merges, policy, done))
		}
		return e.directFlow(j, w.merges, retry, func() ([]*unit, error) {
			settle(w.merges, policy)
			// The merged text was written from words, not from the image:
			// it is scored against the whole image with the global
			// caption's prompt, through stand-ins that carry that image.
			proxies := make([]*output, len(w.merges))
			for li, m := range w.merges {
				g := w.globals[li]
				proxies[li] = &output{lang: m.lang, image: g.image, prefix: g.prefix, tokens: g.tokens, instruction: g.instruction, cap: m.cap}
			}
			return e.groundFlow(j, proxies, w.req.DropUngrounded, func() ([]*unit, error) {
				for li, m := range w.merges {
					m.cap.Grounding, m.cap.Text = proxies[li].cap.Grounding, proxies[li].cap.Text
				}
				done()
				return nil, nil
			})
		})
	}
}

func (w *denseWork) result(e *Engine, took Timings) any {
	res := w.res
	for _, o := range w.globals {
		res.Global = append(res.Global, o.cap)
	}
	for ti, t := range w.tiles {
		tc := TileCaption{Row: t.Row, Col: t.Col, Level: t.Level, Box: t.Box}
		for _, o := range w.tileOuts[ti] {
			tc.Captions = append(tc.Captions, o.cap)
		}
		res.Tiles = append(res.Tiles, tc)
	}
	for _, m := range w.merges {
		res.Merged = append(res.Merged, m.cap)
	}
	res.Timings = took
	return &res
}
