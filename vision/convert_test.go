package vision

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// TestConvertMatchesStdlib compares every fast path of the converter with
// the colour model of Go's own image types, pixel by pixel, on random
// content (odd sizes and offset origins included).
func TestConvertMatchesStdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fill := func(b []byte) {
		for i := range b {
			b[i] = uint8(rng.IntN(256))
		}
	}
	r := image.Rect(3, 5, 3+37, 5+21)
	var imgs []image.Image
	for _, ratio := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		m := image.NewYCbCr(r, ratio)
		fill(m.Y)
		fill(m.Cb)
		fill(m.Cr)
		imgs = append(imgs, m)
		a := image.NewNYCbCrA(r, ratio)
		fill(a.Y)
		fill(a.Cb)
		fill(a.Cr)
		fill(a.A)
		imgs = append(imgs, a)
	}
	gray, gray16 := image.NewGray(r), image.NewGray16(r)
	rgba, nrgba, cmyk := image.NewRGBA(r), image.NewNRGBA(r), image.NewCMYK(r)
	rgba64, nrgba64 := image.NewRGBA64(r), image.NewNRGBA64(r)
	alpha := image.NewAlpha(r)
	for _, b := range [][]byte{gray.Pix, gray16.Pix, nrgba.Pix, cmyk.Pix, nrgba64.Pix, alpha.Pix} {
		fill(b)
	}
	// Premultiplied types need colour <= alpha to be valid.
	for i := 0; i < len(rgba.Pix); i += 4 {
		a := uint8(rng.IntN(256))
		rgba.Pix[i+3] = a
		for c := range 3 {
			rgba.Pix[i+c] = uint8(rng.IntN(int(a) + 1))
		}
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			a := uint16(rng.IntN(65536))
			rgba64.SetRGBA64(x, y, color.RGBA64{uint16(rng.IntN(int(a) + 1)), uint16(rng.IntN(int(a) + 1)), uint16(rng.IntN(int(a) + 1)), a})
		}
	}
	pal := color.Palette{color.RGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 128}, color.Transparent}
	paletted := image.NewPaletted(r, pal)
	for i := range paletted.Pix {
		paletted.Pix[i] = uint8(rng.IntN(4)) // 3 is past the palette
	}
	imgs = append(imgs, gray, gray16, rgba, nrgba, cmyk, rgba64, nrgba64, alpha, paletted)

	bgs := []color.Color{color.White, color.RGBA{10, 200, 30, 255}}
	for _, m := range imgs {
		for _, bgc := range bgs {
			s := (&Options{Background: bgc}).settings()
			got := toRGB(m, 1, s.bg, false)
			if got.Width != r.Dx() || got.Height != r.Dy() {
				t.Fatalf("%T: size %dx%d", m, got.Width, got.Height)
			}
			worst := 0
			for y := range r.Dy() {
				for x := range r.Dx() {
					var want [3]int
					if p, ok := m.(*image.Paletted); ok && int(p.ColorIndexAt(r.Min.X+x, r.Min.Y+y)) >= len(pal) {
						want = [3]int{0, 0, 0} // Paletted.At would panic
					} else {
						want = reference(m.At(r.Min.X+x, r.Min.Y+y), s.bg)
					}
					for c := range 3 {
						worst = max(worst, abs(int(got.Pix[3*(y*got.Width+x)+c])-want[c]))
					}
				}
			}
			tol := 1
			if _, ok := m.(*image.NYCbCrA); ok {
				tol = 2 // colour rounded to 8 bits before blending, Go blends in 16
			}
			if worst > tol {
				t.Errorf("%T on %v: off by %d from Go's colour model", m, bgc, worst)
			}
		}
	}
}

// reference flattens a colour with float arithmetic.
func reference(c color.Color, bg [3]uint16) [3]int {
	r, g, b, a := c.RGBA()
	f := func(v uint32, bg uint16) int {
		out := (float64(v) + float64(bg)*(65535-float64(a))/65535) / 257
		return int(out + 0.5)
	}
	return [3]int{f(r, bg[0]), f(g, bg[1]), f(b, bg[2])}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestTo8Rounds(t *testing.T) {
	for v := range uint32(65536) {
		want := uint8((float64(v)/257 + 0.5))
		if got := to8(v); got != want {
			t.Fatalf("to8(%d) = %d, want %d", v, got, want)
		}
	}
}

func TestVideoRangeYCbCr(t *testing.T) {
	// Video black, white and red come out at the ends of the full range.
	for _, tc := range []struct {
		y, cb, cr uint8
		want      [3]uint8
	}{
		{16, 128, 128, [3]uint8{0, 0, 0}},
		{235, 128, 128, [3]uint8{255, 255, 255}},
		{81, 90, 240, [3]uint8{255, 0, 0}},
	} {
		r, g, b := yccVideo(tc.y, tc.cb, tc.cr)
		got := [3]uint8{r, g, b}
		for c := range 3 {
			if absDiff(got[c], tc.want[c]) > 1 {
				t.Errorf("yccVideo(%d,%d,%d) = %v, want %v", tc.y, tc.cb, tc.cr, got, tc.want)
				break
			}
		}
	}
}

func TestOrientSizes(t *testing.T) {
	m := image.NewGray(image.Rect(0, 0, 300, 70)) // taller than a batch, several bands
	for i := range m.Pix {
		m.Pix[i] = uint8(i * 7)
	}
	for o := 1; o <= 8; o++ {
		got := toRGB(m, o, [3]uint16{}, false)
		ref := stored(m, inverse(o))
		if o >= 5 && (got.Width != 70 || got.Height != 300) {
			t.Fatalf("orientation %d: size %dx%d", o, got.Width, got.Height)
		}
		im := &Image{rgb: got}
		if d := maxDiff(t, im, ref); d != 0 {
			t.Errorf("orientation %d: differs from imaging by %d", o, d)
		}
	}
}

// inverse returns the orientation whose stored form undoes o, so that
// stored(m, inverse(o)) is m displayed with orientation o applied.
func inverse(o int) int {
	switch o {
	case 6:
		return 8
	case 8:
		return 6
	}
	return o
}
