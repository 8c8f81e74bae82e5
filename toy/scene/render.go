package scene

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// RenderOptions tunes Render. A nil *RenderOptions and the zero value both
// give the training distribution; the fields exist for tests and pictures
// that need less variation.
type RenderOptions struct {
	// MinScale and MaxScale bound a shape's size as a fraction of the
	// smaller side of its cell, 0 < MinScale <= MaxScale <= 0.9; zero means
	// 0.45 and 0.80.
	MinScale, MaxScale float64
	// Centred puts every shape at its cell's centre instead of a little
	// off it.
	Centred bool
	// Tint is the largest per-channel change of a shape's colour from its
	// canonical value; zero means 10, negative means none.
	Tint int
	// Noise is the largest per-channel, per-pixel noise added to the whole
	// image; zero means 4, negative means none.
	Noise int
}

const (
	defaultMinScale = 0.45
	defaultMaxScale = 0.80
	defaultTint     = 10
	defaultNoise    = 4
	// A margin of 4% of the cell side (plus a pixel for the anti-aliased
	// edge) keeps neighbouring shapes from touching, which would blur which
	// cell a shape belongs to.
	marginFrac = 0.04
	// maxShift bounds how far a shape's centre strays from its cell's
	// middle, as a fraction of the cell's width or height, so that the
	// picture alone tells which place words are right whatever the grid: a
	// 2x2 left-column shape stays within x 0.175-0.325 of the image width
	// and a 3x3 centre-column one within 0.45-0.55, never near each other.
	// Free placement would put a 2x2 "top left" shape where a 3x3 "top
	// centre" one sits, and a model could not know which to say.
	maxShift = 0.15
	// Pixels the shape's outline crosses get sub x sub samples.
	sub = 4
)

type renderParams struct {
	minScale, maxScale float64
	centred            bool
	tint, noise        int
}

func (o *RenderOptions) params() renderParams {
	p := renderParams{defaultMinScale, defaultMaxScale, false, defaultTint, defaultNoise}
	if o == nil {
		return p
	}
	if o.MinScale != 0 {
		p.minScale = o.MinScale
	}
	if o.MaxScale != 0 {
		p.maxScale = o.MaxScale
	}
	if !(p.minScale > 0 && p.minScale <= p.maxScale && p.maxScale <= 0.9) {
		panic(fmt.Sprintf("scene: MinScale %v and MaxScale %v must satisfy 0 < MinScale <= MaxScale <= 0.9", p.minScale, p.maxScale))
	}
	p.centred = o.Centred
	p.tint = pick(o.Tint, defaultTint)
	p.noise = pick(o.Noise, defaultNoise)
	return p
}

func pick(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// Render draws s on a w x h canvas: the cells split the canvas evenly (see
// CellBox), and each filled cell gets its shape at a random size and
// position inside it. Any grid renders, not only those with captions. The
// result depends only on the arguments and the state of rng. Render panics
// if w or h is not positive or the scene is malformed (see ErrInvalid).
func Render(s Scene, w, h int, rng *rand.Rand, opts *RenderOptions) *image.NRGBA {
	if err := s.checkCells(); err != nil {
		panic("scene.Render: " + err.Error())
	}
	if w <= 0 || h <= 0 {
		panic(fmt.Sprintf("scene.Render: size %dx%d is not positive", w, h))
	}
	p := opts.params()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	fillBackground(img, background(rng))
	for i, c := range s.Cells {
		if !c.Filled {
			continue
		}
		drawInCell(img, cellBox(s.Rows, s.Cols, w, h, i/s.Cols, i%s.Cols), c, rng, p)
	}
	addNoise(img, rng, p.noise)
	return img
}

// RenderObject draws one shape on a w x h canvas, the way Render draws it in
// a cell, so that a model trained on these images for region captions sees
// the same thing as in a crop of a scene cell. It uses the default options.
func RenderObject(sh Shape, c Colour, w, h int, rng *rand.Rand) *image.NRGBA {
	return Render(Scene{Rows: 1, Cols: 1, Cells: []Cell{{Filled: true, Shape: sh, Colour: c}}}, w, h, rng, nil)
}

// CellBox returns the pixels of the cell at row, col when s is rendered at
// w x h: the canvas split evenly, the remainder of an uneven split going to
// the later cells a pixel at a time. Every shape Render draws lies inside its
// cell's box with a margin, so cropping to the box cuts nothing off.
func CellBox(s Scene, w, h, row, col int) image.Rectangle {
	return cellBox(s.Rows, s.Cols, w, h, row, col)
}

func cellBox(rows, cols, w, h, row, col int) image.Rectangle {
	return image.Rect(col*w/cols, row*h/rows, (col+1)*w/cols, (row+1)*h/rows)
}

func fillBackground(img *image.NRGBA, bg color.NRGBA) {
	pix := img.Pix
	for i := 0; i < len(pix); i += 4 {
		pix[i], pix[i+1], pix[i+2], pix[i+3] = bg.R, bg.G, bg.B, 255
	}
}

// drawInCell always draws the same random numbers, whatever the options, so
// that a seed gives the same sizes and tints with Centred or Tint changed.
func drawInCell(img *image.NRGBA, box image.Rectangle, c Cell, rng *rand.Rand, p renderParams) {
	side := float64(min(box.Dx(), box.Dy()))
	r := (p.minScale + rng.Float64()*(p.maxScale-p.minScale)) * side / 2
	margin := marginFrac*side + 1
	cx := place(float64(box.Min.X), float64(box.Max.X), r+margin, rng.Float64(), p.centred)
	cy := place(float64(box.Min.Y), float64(box.Max.Y), r+margin, rng.Float64(), p.centred)
	col := c.Colour.RGB()
	col.R = tint(col.R, rng.IntN(2*defaultTint+1)-defaultTint, p.tint)
	col.G = tint(col.G, rng.IntN(2*defaultTint+1)-defaultTint, p.tint)
	col.B = tint(col.B, rng.IntN(2*defaultTint+1)-defaultTint, p.tint)
	fillShape(img, c.Shape, cx, cy, r, col)
}

// place picks a centre at fraction f of the span the shape may move in: as
// far as it still fits with its margin, but never more than maxShift of the
// cell from the cell's middle (see maxShift).
func place(lo, hi, reach, f float64, centred bool) float64 {
	mid := (lo + hi) / 2
	room := min(maxShift*(hi-lo), (hi-lo)/2-reach)
	if centred || room <= 0 {
		return mid
	}
	return mid + (2*f-1)*room
}

// tint shifts v by d, a draw from [-defaultTint, defaultTint], rescaled to
// [-amp, amp].
func tint(v uint8, d, amp int) uint8 {
	return clamp8(int(v) + d*amp/defaultTint)
}

func clamp8(v int) uint8 {
	return uint8(min(max(v, 0), 255))
}

// fillShape paints sh centred at (cx, cy) with radius r pixels, blending
// partly covered pixels by their coverage. Coverage is exact (1 or 0) where
// all four pixel corners agree, and sampled sub x sub where they differ; a
// feature thinner than a pixel that falls between corners (the very tip of a
// star point) is lost, an error below one pixel of area.
func fillShape(img *image.NRGBA, sh Shape, cx, cy, r float64, col color.NRGBA) {
	b := img.Bounds()
	x0, x1 := max(int(math.Floor(cx-r)), b.Min.X), min(int(math.Ceil(cx+r)), b.Max.X)
	y0, y1 := max(int(math.Floor(cy-r)), b.Min.Y), min(int(math.Ceil(cy+r)), b.Max.Y)
	if x0 >= x1 || y0 >= y1 {
		return
	}
	inside := func(x, y float64) bool { return sh.contains((x-cx)/r, (y-cy)/r) }
	// Shapes only a few pixels wide can hide entirely between corners.
	alwaysSample := r < 4
	nx := x1 - x0 + 1
	corners := make([]bool, nx*(y1-y0+1))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			corners[(y-y0)*nx+x-x0] = inside(float64(x), float64(y))
		}
	}
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			k := (y-y0)*nx + x - x0
			n := 0
			for _, in := range [4]bool{corners[k], corners[k+1], corners[k+nx], corners[k+nx+1]} {
				if in {
					n++
				}
			}
			var cover float64
			switch {
			case n == 4 && !alwaysSample:
				cover = 1
			case n == 0 && !alwaysSample:
				continue
			default:
				hits := 0
				for sy := 0; sy < sub; sy++ {
					for sx := 0; sx < sub; sx++ {
						if inside(float64(x)+(float64(sx)+0.5)/sub, float64(y)+(float64(sy)+0.5)/sub) {
							hits++
						}
					}
				}
				if hits == 0 {
					continue
				}
				cover = float64(hits) / (sub * sub)
			}
			i := img.PixOffset(x, y)
			px := img.Pix[i : i+3 : i+3]
			px[0] = blend(px[0], col.R, cover)
			px[1] = blend(px[1], col.G, cover)
			px[2] = blend(px[2], col.B, cover)
		}
	}
}

func blend(dst, src uint8, a float64) uint8 {
	return uint8(math.Round(float64(dst)*(1-a) + float64(src)*a))
}

// addNoise adds uniform noise in [-amp, amp] to every channel of every
// pixel, so a model cannot key on exact flat colours. One 64-bit draw feeds
// the three channels of a pixel to keep large canvases fast.
func addNoise(img *image.NRGBA, rng *rand.Rand, amp int) {
	if amp <= 0 {
		return
	}
	span := uint64(2*amp + 1)
	pix := img.Pix
	for i := 0; i < len(pix); i += 4 {
		v := rng.Uint64()
		for c := 0; c < 3; c++ {
			d := int(((v>>(16*c))&0xffff)%span) - amp
			pix[i+c] = clamp8(int(pix[i+c]) + d)
		}
	}
}
