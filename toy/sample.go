package toy

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/toy/scene"
	"github.com/capgen/capgen/vision"
)

// Grid is the toy model's scene grid: 2x2. The renderer also draws 3x3
// scenes, but a 3x3 cell is 2x2 of the model's 16 px patches at 96 px (less
// when letterboxed), too small for a 2M-parameter model trained in half an
// hour to name its shape reliably; a 2x2 cell is 3x3 patches.
const Grid = 2

// MaxAspect is the largest aspect ratio (either way) of training and
// evaluation images. clip.cpp letterboxes an image to a square, so a wider
// picture leaves fewer pixels to its cells.
const MaxAspect = 1.5

// Kind is what a sample shows.
type Kind int

const (
	// KindScene is a whole 2x2 or 3x3 scene, captioned in mode brief.
	KindScene Kind = iota
	// KindObject is one shape drawn alone (scene.RenderObject), captioned
	// in mode region.
	KindObject
	// KindCell is a crop around one filled cell of a scene, with a small
	// context margin, captioned in mode region.
	KindCell
)

// Mode is the prompt mode a kind is captioned in.
func (k Kind) Mode() caption.Mode {
	if k == KindScene {
		return caption.ModeBrief
	}
	return caption.ModeRegion
}

func (k Kind) String() string {
	return [...]string{"scene", "object", "cell"}[k]
}

// Sample is one rendered image with its ground truth.
type Sample struct {
	Kind  Kind
	Image *vision.Image
	// Scene is set for KindScene; Shape and Colour for the other kinds.
	Scene  scene.Scene
	Shape  scene.Shape
	Colour scene.Colour
}

// Caption returns the canonical answer to the sample in lang.
func (s *Sample) Caption(lang string) (string, error) {
	if s.Kind == KindScene {
		return scene.Caption(s.Scene, lang)
	}
	return scene.ObjectCaption(s.Shape, s.Colour, lang), nil
}

// NewSample renders the sample of the given kind that seed gives: a random
// size (longer side 96 to 960 px, aspect ratio up to MaxAspect either way),
// for scenes a Grid x Grid grid, and with chance jpegChance a round trip
// through JPEG at quality 60 to 95. Everything comes from
// scene.NewRand(seed), so a seed always gives the same sample.
func NewSample(seed uint64, kind Kind, jpegChance float64) (*Sample, error) {
	rng := scene.NewRand(seed)
	long := int(math.Round(96 * math.Pow(10, rng.Float64())))
	ratio := math.Pow(MaxAspect, 2*rng.Float64()-1)
	w, h := long, int(math.Round(float64(long)/ratio))
	if ratio < 1 {
		w, h = int(math.Round(float64(long)*ratio)), long
	}
	w, h = max(w, 48), max(h, 48)
	grid := Grid
	useJPEG := rng.Float64() < jpegChance
	quality := 60 + rng.IntN(36)
	margin := 0.15 * rng.Float64()

	s := &Sample{Kind: kind}
	var img image.Image
	switch kind {
	case KindScene:
		s.Scene = scene.Random(rng, &scene.RandomOptions{Rows: grid, Cols: grid})
		img = scene.Render(s.Scene, w, h, rng, nil)
	case KindObject:
		s.Shape = scene.Shape(rng.IntN(scene.NumShapes))
		s.Colour = scene.Colour(rng.IntN(scene.NumColours))
		side := min(w, h)
		img = scene.RenderObject(s.Shape, s.Colour, side, side+rng.IntN(side/3+1), rng)
	case KindCell:
		sc := scene.Random(rng, &scene.RandomOptions{Rows: grid, Cols: grid})
		full := scene.Render(sc, w, h, rng, nil)
		var filled []int
		for i, c := range sc.Cells {
			if c.Filled {
				filled = append(filled, i)
			}
		}
		i := filled[rng.IntN(len(filled))]
		c := sc.Cells[i]
		s.Shape, s.Colour = c.Shape, c.Colour
		box := scene.CellBox(sc, w, h, i/sc.Cols, i%sc.Cols)
		crop, _, err := vision.Crop(vision.FromImage(full, nil), rectBox(box), margin)
		if err != nil {
			return nil, err
		}
		img = crop
	}
	if useJPEG {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
			return nil, err
		}
		im, err := vision.DecodeBytes(buf.Bytes(), nil)
		if err != nil {
			return nil, err
		}
		s.Image = im
		return s, nil
	}
	if vi, ok := img.(*vision.Image); ok {
		s.Image = vi
	} else {
		s.Image = vision.FromImage(img, nil)
	}
	return s, nil
}

func rectBox(r image.Rectangle) vision.Box {
	return vision.Box{X0: float64(r.Min.X), Y0: float64(r.Min.Y), X1: float64(r.Max.X), Y1: float64(r.Max.Y)}
}

// DataKind is the kind of training sample i (cmd/toydata): half scenes,
// a fifth single objects, the rest cell crops.
func DataKind(i int) Kind {
	switch r := i % 10; {
	case r < 5:
		return KindScene
	case r < 7:
		return KindObject
	}
	return KindCell
}
