package caption_test

import (
	"context"
	"testing"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/toy/scene"
	"github.com/capgen/capgen/vision"
)

// One Stream runs requests of every mode together in one continuous
// batch (one round): a description, region captions and a dense
// description (brief global caption: the toy knows no detailed prompt),
// each answered with its own result type; a nil task fails
// alone.
func TestStreamRunsEveryMode(t *testing.T) {
	e := toyEngine(t, nil)
	s := toyScene()
	const w, h = 600, 480
	img := renderToy(s, w, h, 8)
	de := []caption.Language{caption.MustLookupLanguage("de")}
	var boxes []vision.Box
	var cells []scene.Cell
	for i, c := range s.Cells {
		if c.Filled {
			boxes = append(boxes, box(scene.CellBox(s, w, h, i/s.Cols, i%s.Cols)))
			cells = append(cells, c)
		}
	}
	describe := &caption.Request{Image: img, Languages: de}
	regions := &caption.RegionsRequest{Image: img, Boxes: boxes, Words: toy.RegionWords, Languages: de, Margin: 0.05}
	dense := &caption.DenseRequest{Image: img, GlobalDetail: caption.Brief, TileMode: caption.ModeRegion, TileWords: toy.RegionWords, Languages: de,
		Generation: caption.Generation{MaxTokens: 16}}

	in := make(chan caption.Task, 4)
	for _, task := range []caption.Task{describe, regions, nil, dense} {
		in <- task
	}
	close(in)
	results := map[caption.Task]any{}
	var nilErr error
	took, err := e.Stream(context.Background(), in, func(task caption.Task, res any, err error) {
		if task == nil {
			nilErr = err
			return
		}
		if err != nil {
			t.Errorf("%T: %v", task, err)
		}
		results[task] = res
	})
	if err != nil {
		t.Fatal(err)
	}
	if took.Rounds != 1 {
		t.Errorf("%d rounds, want the whole stream in one", took.Rounds)
	}
	if nilErr == nil {
		t.Error("a nil task did not fail")
	}

	want, _ := scene.Caption(s, "de")
	if r, ok := results[describe].(*caption.Result); !ok || r.Captions[0].Text != want {
		t.Errorf("describe: %#v, want %q", results[describe], want)
	}
	rr, ok := results[regions].(*caption.RegionsResult)
	if !ok || len(rr.Regions) != len(boxes) {
		t.Fatalf("regions: %#v", results[regions])
	}
	for i, r := range rr.Regions {
		if want := scene.ObjectCaption(cells[i].Shape, cells[i].Colour, "de"); r.Captions[0].Raw != want {
			t.Errorf("region %d: %q, want %q", i, r.Captions[0].Raw, want)
		}
	}
	dr, ok := results[dense].(*caption.DenseResult)
	if !ok || len(dr.Tiles) != 4 || len(dr.Global) != 1 || len(dr.Merged) != 1 {
		t.Fatalf("dense: %#v", results[dense])
	}
	if dr.Global[0].Text != want {
		t.Errorf("dense global caption %q, want %q", dr.Global[0].Text, want)
	}
}

// A request whose context ends mid-generation (a client that went away)
// stops at once with the context's error and frees its sequences; the
// request beside it in the same batch finishes with its full caption.
func TestStreamCancelOneRequest(t *testing.T) {
	e := toyEngine(t, nil)
	img := renderToy(toyScene(), 640, 480, 21)
	langs := []caption.Language{caption.MustLookupLanguage("de"), caption.MustLookupLanguage("fr")}
	ctx, cancel := context.WithCancel(context.Background())
	pieces := 0
	gone := &caption.Request{Image: img, Languages: langs, OnText: func(caption.Language, string) {
		if pieces++; pieces == 2 {
			cancel()
		}
	}}
	stays := &caption.Request{Image: img, Languages: langs}
	in := make(chan caption.Task, 2)
	in <- caption.WithContext(ctx, gone)
	in <- stays
	close(in)
	var goneErr error
	var staysRes *caption.Result
	_, err := e.Stream(context.Background(), in, func(task caption.Task, res any, err error) {
		switch caption.Unwrap(task) {
		case gone:
			goneErr = err
		case stays:
			if err != nil {
				t.Errorf("the other request failed: %v", err)
			}
			staysRes, _ = res.(*caption.Result)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if goneErr != context.Canceled {
		t.Errorf("cancelled request: err %v, want context.Canceled", goneErr)
	}
	// At most one more piece per branch after the cancel: the branch stops
	// at its next piece.
	if pieces > 2+len(langs) {
		t.Errorf("%d pieces streamed; generation went on after the cancel", pieces)
	}
	want, _ := scene.Caption(toyScene(), "de")
	if staysRes == nil || staysRes.Captions[0].Text != want {
		t.Errorf("the other request: %+v, want %q", staysRes, want)
	}
}
