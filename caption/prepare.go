package caption

import (
	"fmt"
	"sync"

	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

// Prepared is an image made ready for one Engine: resized to
// Options.MaxSide, packed as RGB, hashed (the key of the embedding cache),
// and its prompt tokens counted. Engine.Prepare makes it on the caller's
// goroutine, so that a batch's workers (or a server's handlers) do this
// work while the model decodes, instead of the engine's scheduler doing
// it between decode steps. A Prepared is read-only and may be shared.
type Prepared struct {
	e             *Engine
	img           *llama.Image
	tokens        int // KV cells of the image, an upper bound
	width, height int // before resizing
}

// Width and Height are the image's size before resizing, as
// Result.Width and Result.Height report it.
func (p *Prepared) Width() int  { return p.width }
func (p *Prepared) Height() int { return p.height }

// Prepare resizes img for the projector (once: not at all when it is
// within Options.MaxSide), packs its pixels, hashes them and counts its
// tokens. A Request whose Prepared is set skips all of that. Prepare is
// safe for concurrent use.
func (e *Engine) Prepare(img *vision.Image) (*Prepared, error) {
	if e.proj == nil {
		return nil, ErrNoVision
	}
	if img == nil {
		return nil, &BadRequestError{Field: "image", Msg: "no image given"}
	}
	w, h := img.Width(), img.Height()
	if max(w, h) > MaxAspect*min(w, h) {
		return nil, &BadRequestError{Field: "image", Msg: fmt.Sprintf("%dx%d is more than %d times as long as it is wide: crop it into parts (capgen dense --grid 1xN)", w, h, MaxAspect)}
	}
	if max(w, h) > e.opt.MaxSide {
		var err error
		if img, err = vision.ResizeMax(img, e.opt.MaxSide, vision.Lanczos); err != nil {
			return nil, err
		}
	}
	rgb := img.RGB()
	sum := rgb.Hash()
	n, err := e.imageTokens(rgb.Width, rgb.Height)
	if err != nil {
		return nil, err
	}
	return &Prepared{
		e:      e,
		img:    &llama.Image{RGB: rgb.Pix, Width: rgb.Width, Height: rgb.Height, ID: fmt.Sprintf("%x", sum[:16])},
		tokens: n + 16,
		width:  w,
		height: h,
	}, nil
}

// tokenCounts remembers the projector's token count per image size:
// counting runs the projector's preprocessing on a blank image of that
// size, and the photos of one camera share a few sizes.
type tokenCounts struct {
	mu sync.Mutex
	n  map[[2]int]int
}

func (e *Engine) imageTokens(w, h int) (int, error) {
	tc := &e.tokenCounts
	tc.mu.Lock()
	n, ok := tc.n[[2]int{w, h}]
	tc.mu.Unlock()
	if ok {
		return n, nil
	}
	n, _, err := e.proj.ImageTokens(w, h)
	if err != nil {
		return 0, err
	}
	tc.mu.Lock()
	if tc.n == nil {
		tc.n = map[[2]int]int{}
	}
	tc.n[[2]int{w, h}] = n
	tc.mu.Unlock()
	return n, nil
}

// prepare is Prepare for the engine's own crops and tiles.
func (e *Engine) prepare(img *vision.Image) (*llama.Image, int, error) {
	p, err := e.Prepare(img)
	if err != nil {
		return nil, 0, err
	}
	return p.img, p.tokens, nil
}
