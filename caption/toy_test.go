package caption_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"slices"
	"testing"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/toy/scene"
	"github.com/capgen/capgen/vision"
)

// These tests run the engine on the toy model of testdata/toy, which
// really sees its drawn scenes and answers in ten languages: they check
// meaning (the right language, the right object in a region, the right
// cell in a tile), which random-weight models cannot.

func toyEngine(t *testing.T, opt *caption.Options) *caption.Engine {
	t.Helper()
	m, mm := toy.FileNames()
	dir := filepath.Join("..", "testdata", "toy")
	o := caption.Options{Threads: 1}
	if opt != nil {
		o = *opt
		o.Threads = 1
	}
	e, err := caption.Load(context.Background(), filepath.Join(dir, m), filepath.Join(dir, mm),
		&caption.LoadOptions{Projector: llama.ProjectorOptions{Threads: 1, NoWarmup: true}}, &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// toyScene has three of four cells filled, no two alike.
func toyScene() scene.Scene {
	return scene.Scene{Rows: 2, Cols: 2, Cells: []scene.Cell{
		{Filled: true, Shape: scene.Star, Colour: scene.Yellow},
		{},
		{Filled: true, Shape: scene.Circle, Colour: scene.Blue},
		{Filled: true, Shape: scene.Triangle, Colour: scene.Orange},
	}}
}

func renderToy(s scene.Scene, w, h int, seed uint64) *vision.Image {
	return vision.FromImage(scene.Render(s, w, h, scene.NewRand(seed), nil), nil)
}

// All ten toy languages from one Describe call (one image encode): each
// caption is the canonical caption of the scene in its own language, and
// the language check accepts it.
func TestToyEveryLanguageOneCall(t *testing.T) {
	e := toyEngine(t, nil)
	s := toyScene()
	var langs []caption.Language
	for _, code := range toy.Languages() {
		langs = append(langs, caption.MustLookupLanguage(code))
	}
	res, err := e.Describe(context.Background(), &caption.Request{Image: renderToy(s, 640, 480, 21), Languages: langs})
	if err != nil {
		t.Fatal(err)
	}
	if res.Timings.ImageEncodes != 1 {
		t.Errorf("%d image encodes for %d languages; want 1", res.Timings.ImageEncodes, len(langs))
	}
	for i, c := range res.Captions {
		want, err := scene.Caption(s, langs[i].Tag)
		if err != nil {
			t.Fatal(err)
		}
		if c.Raw != want {
			t.Errorf("%s: got %q, want %q", langs[i].Tag, c.Raw, want)
		}
		if !c.Detected.Match {
			t.Errorf("%s: the language check rejected %q: %+v", langs[i].Tag, c.Raw, c.Detected)
		}
	}
}

// Region captions name what is in each box: one box per filled cell, in
// three languages.
func TestToyRegionsNameTheirCells(t *testing.T) {
	e := toyEngine(t, nil)
	s := toyScene()
	const w, h = 600, 480
	img := renderToy(s, w, h, 8)
	var boxes []vision.Box
	var cells []scene.Cell
	for i, c := range s.Cells {
		if c.Filled {
			boxes = append(boxes, box(scene.CellBox(s, w, h, i/s.Cols, i%s.Cols)))
			cells = append(cells, c)
		}
	}
	langs := []caption.Language{caption.MustLookupLanguage("en"), caption.MustLookupLanguage("ru"), caption.MustLookupLanguage("hi")}
	res, err := e.Regions(context.Background(), &caption.RegionsRequest{Image: img, Boxes: boxes, Words: toy.RegionWords, Languages: langs, Margin: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Regions {
		for j, c := range r.Captions {
			want := scene.ObjectCaption(cells[i].Shape, cells[i].Colour, langs[j].Tag)
			if c.Raw != want {
				t.Errorf("box %d (%v), %s: got %q, want %q", i, boxes[i], langs[j].Tag, c.Raw, want)
			}
		}
	}
}

// Dense captions on a 2x2 tile grid with region prompts: each tile is one
// cell of the scene, and its caption names that cell's object.
func TestToyDenseTilesNameTheirCells(t *testing.T) {
	e := toyEngine(t, nil)
	s := scene.Scene{Rows: 2, Cols: 2, Cells: []scene.Cell{
		{Filled: true, Shape: scene.Square, Colour: scene.Green},
		{Filled: true, Shape: scene.Star, Colour: scene.Red},
		{Filled: true, Shape: scene.Circle, Colour: scene.Purple},
		{Filled: true, Shape: scene.Triangle, Colour: scene.Blue},
	}}
	res, err := e.Dense(context.Background(), &caption.DenseRequest{Image: renderToy(s, 512, 384, 4), Rows: 2, Cols: 2,
		TileMode: caption.ModeRegion, TileWords: toy.RegionWords, Languages: []caption.Language{caption.MustLookupLanguage("de")},
		Generation: caption.Generation{MaxTokens: 16}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tiles) != 4 {
		t.Fatalf("%d tiles, want 4", len(res.Tiles))
	}
	for _, tile := range res.Tiles {
		c := s.Cells[tile.Row*2+tile.Col]
		want := scene.ObjectCaption(c.Shape, c.Colour, "de")
		if got := tile.Captions[0].Raw; got != want {
			t.Errorf("tile %d,%d: got %q, want %q", tile.Row, tile.Col, got, want)
		}
	}
}

func box(r image.Rectangle) vision.Box {
	return vision.Box{X0: float64(r.Min.X), Y0: float64(r.Min.Y), X1: float64(r.Max.X), Y1: float64(r.Max.Y)}
}

// DescribeStream takes requests while it runs: the second request arrives
// while the first one is generating and joins the running decode (its
// first text comes before the first request is done), every request gets
// its scene's canonical caption, a bad request fails alone, and the whole
// stream is one continuous batch.
func TestToyDescribeStream(t *testing.T) {
	e := toyEngine(t, &caption.Options{MaxSequences: 8})
	en := caption.MustLookupLanguage("en")
	scenes := []scene.Scene{toyScene(),
		{Rows: 2, Cols: 2, Cells: []scene.Cell{{}, {Filled: true, Shape: scene.Square, Colour: scene.Green}, {}, {}}},
		{Rows: 2, Cols: 2, Cells: []scene.Cell{{Filled: true, Shape: scene.Circle, Colour: scene.Red}, {}, {}, {Filled: true, Shape: scene.Star, Colour: scene.Purple}}},
		{Rows: 2, Cols: 2, Cells: []scene.Cell{{}, {}, {Filled: true, Shape: scene.Triangle, Colour: scene.Yellow}, {}}},
	}
	var events []string // "text k" (first piece of request k), "done k"
	in := make(chan *caption.Request, 8)
	reqs := make([]*caption.Request, len(scenes))
	index := map[*caption.Request]int{}
	sent := false
	for i, s := range scenes {
		seen := false
		reqs[i] = &caption.Request{Image: renderToy(s, 480, 360, uint64(30+i)), Languages: []caption.Language{en},
			OnText: func(caption.Language, string) {
				if !seen {
					seen = true
					events = append(events, fmt.Sprintf("text %d", i))
				}
				if i == 0 && !sent {
					// The rest arrive while request 0 generates; a
					// request without an image among them.
					sent = true
					bad := &caption.Request{Languages: []caption.Language{en}}
					index[bad] = -1
					in <- reqs[1]
					in <- bad
					in <- reqs[2]
					in <- reqs[3]
					close(in)
				}
			}}
		index[reqs[i]] = i
	}
	in <- reqs[0]
	results := make([]*caption.Result, len(scenes))
	var badErr error
	took, err := e.DescribeStream(context.Background(), in, func(req *caption.Request, res *caption.Result, err error) {
		k := index[req]
		if k < 0 {
			badErr = err
			return
		}
		events = append(events, fmt.Sprintf("done %d", k))
		if err != nil {
			t.Errorf("request %d: %v", k, err)
			return
		}
		results[k] = res
	})
	if err != nil {
		t.Fatal(err)
	}
	var bre *caption.BadRequestError
	if !errors.As(badErr, &bre) {
		t.Errorf("request without an image: got %v, want a BadRequestError", badErr)
	}
	for i, s := range scenes {
		want, err := scene.Caption(s, "en")
		if err != nil {
			t.Fatal(err)
		}
		if results[i] == nil {
			t.Errorf("request %d: no result", i)
			continue
		}
		if got := results[i].Captions[0].Raw; got != want {
			t.Errorf("request %d: got %q, want %q", i, got, want)
		}
		if results[i].Timings.Total <= 0 {
			t.Errorf("request %d: no latency in Timings", i)
		}
	}
	if i1, d0 := slices.Index(events, "text 1"), slices.Index(events, "done 0"); i1 < 0 || d0 < 0 || i1 > d0 {
		t.Errorf("request 1 did not join while request 0 ran: events %v", events)
	}
	if took.Rounds != 1 || took.ImageEncodes != len(scenes) {
		t.Errorf("stream: %d rounds and %d image encodes, want 1 and %d", took.Rounds, took.ImageEncodes, len(scenes))
	}
}
