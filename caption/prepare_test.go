package caption_test

import (
	"context"
	"errors"
	"testing"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/toy/scene"
)

// A request carrying an image prepared ahead (as batch workers do) gets
// the same captions and sizes as one carrying the image itself; a
// Prepared of another engine is refused.
func TestPreparedRequest(t *testing.T) {
	e := toyEngine(t, &caption.Options{MaxSide: 320})
	img := renderToy(toyScene(), 640, 480, 3)
	langs, err := caption.ParseLanguages("de,ja")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	direct, err := e.Describe(ctx, &caption.Request{Image: img, Languages: langs})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Prepare(img)
	if err != nil {
		t.Fatal(err)
	}
	if p.Width() != 640 || p.Height() != 480 {
		t.Errorf("prepared size %dx%d, want the original 640x480", p.Width(), p.Height())
	}
	prepared, err := e.Describe(ctx, &caption.Request{Prepared: p, Languages: langs})
	if err != nil {
		t.Fatal(err)
	}
	if prepared.Width != 640 || prepared.Height != 480 {
		t.Errorf("result size %dx%d, want 640x480", prepared.Width, prepared.Height)
	}
	for i, c := range prepared.Captions {
		want, _ := scene.Caption(toyScene(), c.Language.Tag)
		if c.Text != direct.Captions[i].Text || c.Text != want {
			t.Errorf("%s: prepared %q, direct %q, canonical %q", c.Language.Tag, c.Text, direct.Captions[i].Text, want)
		}
	}
	// The same pixels hit the embedding cache: one encode for both calls.
	if prepared.Timings.ImageCacheHits == 0 {
		t.Errorf("prepared image was encoded again: %+v", prepared.Timings)
	}

	other := toyEngine(t, nil)
	_, err = other.Describe(ctx, &caption.Request{Prepared: p, Languages: langs})
	var bad *caption.BadRequestError
	if !errors.As(err, &bad) || bad.Field != "prepared" {
		t.Errorf("Prepared of another engine: err = %v, want BadRequestError on prepared", err)
	}
}
