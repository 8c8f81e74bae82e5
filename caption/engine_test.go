package caption

import (
	"context"
	"errors"
	"image"
	"image/color"
	"os"
	"sync"
	"testing"

	"github.com/capgen/capgen/internal/testmodels"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testmodels.Cleanup()
	os.Exit(code)
}

// tinyEngine loads a tiny random-weight pair: its text is noise, so these
// tests check mechanics (sharing, batching, errors), not content.
func tinyEngine(t *testing.T, preset string, opt *Options) *Engine {
	t.Helper()
	p := testmodels.Tiny(t, preset)
	o := Options{Threads: 1}
	if opt != nil {
		o = *opt
		if o.Threads == 0 {
			o.Threads = 1
		}
	}
	e, err := Load(context.Background(), p.Model, p.MMProj, &LoadOptions{Projector: llama.ProjectorOptions{NoWarmup: true, Threads: 1}}, &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// testPicture is a 160x120 image with four coloured quadrants.
func testPicture() *vision.Image {
	m := image.NewRGBA(image.Rect(0, 0, 160, 120))
	cols := []color.RGBA{{220, 30, 30, 255}, {30, 170, 90, 255}, {30, 30, 220, 255}, {240, 200, 40, 255}}
	for y := 0; y < 120; y++ {
		for x := 0; x < 160; x++ {
			m.SetRGBA(x, y, cols[2*(y/60)+x/80])
		}
	}
	return vision.FromImage(m, nil)
}

func langs(t *testing.T, codes string) []Language {
	t.Helper()
	l, err := ParseLanguages(codes)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestDescribeLanguagesShareOneEncode(t *testing.T) {
	for _, fam := range []string{"tiny-llava", "tiny-smolvlm"} {
		t.Run(fam, func(t *testing.T) {
			ctx := context.Background()
			one, err := tinyEngine(t, fam, nil).Describe(ctx, &Request{Image: testPicture(), Languages: langs(t, "de"), Generation: Generation{MaxTokens: 8}})
			if err != nil {
				t.Fatal(err)
			}
			five, err := tinyEngine(t, fam, nil).Describe(ctx, &Request{Image: testPicture(), Languages: langs(t, "de,fr,ja,ar,sw"), Generation: Generation{MaxTokens: 8}})
			if err != nil {
				t.Fatal(err)
			}
			if len(five.Captions) != 5 {
				t.Fatalf("%d captions for 5 languages", len(five.Captions))
			}
			for i, want := range []string{"de", "fr", "ja", "ar", "sw"} {
				if five.Captions[i].Language.Tag != want {
					t.Errorf("caption %d is %s, want %s", i, five.Captions[i].Language.Tag, want)
				}
			}
			if e1, e5 := one.Timings.ImageEncodes, five.Timings.ImageEncodes; e1 == 0 || e5 != e1 {
				t.Errorf("image encodes: %d for one language, %d for five: want the same", e1, e5)
			}
		})
	}
}

// Random weights answer in no language, so every caption takes the retry
// path; with Auto it also takes the pivot path.
func TestDescribeRetryAndPivot(t *testing.T) {
	e := tinyEngine(t, "tiny-llava", nil)
	ctx := context.Background()
	res, err := e.Describe(ctx, &Request{Image: testPicture(), Languages: langs(t, "ja,ru"), Strategy: Auto, Generation: Generation{MaxTokens: 8}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Captions {
		if c.Detected.Match {
			continue // the noise happened to pass
		}
		if !c.Pivoted {
			t.Errorf("%s: wrong-language caption %q neither passed nor was pivoted", c.Language.Tag, c.Text)
		}
	}
	res, err = e.Describe(ctx, &Request{Image: testPicture(), Languages: langs(t, "en,de"), Strategy: Pivot, Generation: Generation{MaxTokens: 8}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Captions[0].Pivoted || !res.Captions[1].Pivoted {
		t.Errorf("pivot via English: en pivoted=%v, de pivoted=%v", res.Captions[0].Pivoted, res.Captions[1].Pivoted)
	}
}

func TestRegionsTogetherEqualOneByOne(t *testing.T) {
	e := tinyEngine(t, "tiny-llava", nil)
	ctx := context.Background()
	img := testPicture()
	boxes := []vision.Box{{X0: 0, Y0: 0, X1: 80, Y1: 60}, {X0: 80, Y0: 0, X1: 160, Y1: 60}, {X0: 0, Y0: 60, X1: 80, Y1: 120}, {X0: 80, Y0: 60, X1: 160, Y1: 120}}
	all, err := e.Regions(ctx, &RegionsRequest{Image: img, Boxes: boxes, Languages: langs(t, "en,de"), Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Regions) != 4 {
		t.Fatalf("%d regions", len(all.Regions))
	}
	for i, b := range boxes {
		one, err := e.Regions(ctx, &RegionsRequest{Image: img, Boxes: []vision.Box{b}, Languages: langs(t, "en,de"), Raw: true})
		if err != nil {
			t.Fatal(err)
		}
		r := all.Regions[i]
		if r.Box != b || r.Index != i {
			t.Errorf("region %d carries box %v index %d", i, r.Box, r.Index)
		}
		if r.Crop.X0 > b.X0 || r.Crop.X1 < b.X1 {
			t.Errorf("crop %v does not contain box %v", r.Crop, b)
		}
		for j := range r.Captions {
			if got, want := r.Captions[j].Raw, one.Regions[0].Captions[j].Raw; got != want {
				t.Errorf("region %d %s: together %q, alone %q", i, r.Captions[j].Language.Tag, got, want)
			}
		}
	}
}

func TestDense(t *testing.T) {
	e := tinyEngine(t, "tiny-llava", nil)
	res, err := e.Dense(context.Background(), &DenseRequest{Image: testPicture(), Rows: 2, Cols: 2, Languages: langs(t, "en,fr"), Generation: Generation{MaxTokens: 16}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Global) != 2 || len(res.Merged) != 2 || len(res.Tiles) != 4 {
		t.Fatalf("global %d, tiles %d, merged %d", len(res.Global), len(res.Tiles), len(res.Merged))
	}
	for _, tc := range res.Tiles {
		if len(tc.Captions) != 2 || tc.Box.Empty() {
			t.Errorf("tile %d,%d: %d captions, box %v", tc.Row, tc.Col, len(tc.Captions), tc.Box)
		}
	}
	if res.Tiles[3].Box.X0 < 40 || res.Tiles[3].Box.Y0 < 30 {
		t.Errorf("bottom-right tile box %v is not in the bottom right", res.Tiles[3].Box)
	}
}

func TestEngineErrors(t *testing.T) {
	ctx := context.Background()
	e := tinyEngine(t, "tiny-llava", nil)
	img := testPicture()
	if _, err := e.Describe(ctx, &Request{}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("no image: %v", err)
	}
	if _, err := e.Describe(ctx, &Request{Image: img, Languages: []Language{MustLookupLanguage("de"), MustLookupLanguage("de")}}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("duplicate language: %v", err)
	}
	if _, err := e.Describe(ctx, &Request{Image: img, Detail: "huge"}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("bad detail: %v", err)
	}
	if _, err := e.Regions(ctx, &RegionsRequest{Image: img, Boxes: []vision.Box{{X0: 10, Y0: 10, X1: 10, Y1: 50}}}); !errors.Is(err, vision.ErrEmptyBox) {
		t.Errorf("empty box: %v", err)
	}
	if _, err := e.Regions(ctx, &RegionsRequest{Image: img, Boxes: []vision.Box{{X0: 500, Y0: 500, X1: 600, Y1: 600}}}); !errors.Is(err, vision.ErrBoxOutside) {
		t.Errorf("outside box: %v", err)
	}
	if _, err := e.Regions(ctx, &RegionsRequest{Image: img}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("no boxes: %v", err)
	}
	// Qwen2.5-VL's token count grows with the image; llama.cpp's smallest
	// context is 256 cells.
	small := tinyEngine(t, "tiny-qwen25vl", &Options{ContextSize: 256})
	big := vision.FromImage(image.NewRGBA(image.Rect(0, 0, 1024, 768)), nil)
	if _, err := small.Describe(ctx, &Request{Image: big}); !errors.Is(err, ErrImageTooLarge) {
		t.Errorf("image larger than the context: %v", err)
	}
	p := testmodels.Tiny(t, "tiny-llava")
	textOnly, err := Load(ctx, p.Model, "", nil, &Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer textOnly.Close()
	if _, err := textOnly.Describe(ctx, &Request{Image: img}); !errors.Is(err, ErrNoVision) {
		t.Errorf("model without vision: %v", err)
	}
	e.Close()
	if _, err := e.Describe(ctx, &Request{Image: img}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestEngineConcurrent(t *testing.T) {
	e := tinyEngine(t, "tiny-llava", &Options{Contexts: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Describe(context.Background(), &Request{Image: testPicture(), Languages: langs(t, "en,de"), Generation: Generation{MaxTokens: 4}})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// picture returns a w x h image of a colour gradient that seed shifts.
func picture(w, h, seed int) *vision.Image {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetRGBA(x, y, color.RGBA{uint8(x*7 + seed*40), uint8(y*5 + seed*13), uint8((x + y + seed*29) * 3), 255})
		}
	}
	return vision.FromImage(m, nil)
}

func TestDescribeBatchEqualsOneByOne(t *testing.T) {
	ctx := context.Background()
	var reqs []*Request
	for i := range 4 {
		// Different lengths, so that captions finish at different steps
		// and the batch has to refill.
		reqs = append(reqs, &Request{Image: picture(64+16*i, 48, i), Languages: langs(t, "de,ja"), NoRetry: true,
			Generation: Generation{MaxTokens: 4 + 4*i}})
	}
	// A bad request in the middle fails alone.
	bad := &Request{Languages: langs(t, "de")}
	all := append(append(append([]*Request{}, reqs[:2]...), bad), reqs[2:]...)

	e := tinyEngine(t, "tiny-llava", &Options{MaxSequences: 4})
	got, errs := e.DescribeBatch(ctx, all)
	if errs[2] == nil || got[2] != nil {
		t.Fatalf("request without an image: result %v, error %v", got[2], errs[2])
	}
	var bre *BadRequestError
	if !errors.As(errs[2], &bre) {
		t.Errorf("request without an image: %v is not a BadRequestError", errs[2])
	}
	batched := []*Result{got[0], got[1], got[3], got[4]}
	for i, r := range batched {
		if errs[[]int{0, 1, 3, 4}[i]] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		if r.Timings.ImageEncodes < 1 {
			t.Errorf("request %d: timings of the batch report %d encodes", i, r.Timings.ImageEncodes)
		}
	}
	if enc := batched[0].Timings.ImageEncodes; enc != len(reqs) {
		t.Errorf("%d image encodes for %d images", enc, len(reqs))
	}
	for i, req := range reqs {
		alone, err := tinyEngine(t, "tiny-llava", nil).Describe(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for j := range alone.Captions {
			if a, b := alone.Captions[j].Raw, batched[i].Captions[j].Raw; a != b {
				t.Errorf("image %d, %s: alone %q, in the batch %q", i, alone.Captions[j].Language.Tag, a, b)
			}
		}
	}
}
