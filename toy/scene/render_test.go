package scene

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden PNGs in testdata/")

func TestRenderDeterministic(t *testing.T) {
	s := Random(NewRand(3), &RandomOptions{Rows: 3, Cols: 3})
	a := Render(s, 300, 200, NewRand(4), nil)
	b := Render(s, 300, 200, NewRand(4), nil)
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("same seed, different pixels")
	}
	c := Render(s, 300, 200, NewRand(5), nil)
	if bytes.Equal(a.Pix, c.Pix) {
		t.Fatal("different seeds, same pixels")
	}
	if !equalScenes(Random(NewRand(9), nil), Random(NewRand(9), nil)) {
		t.Fatal("same seed, different scenes")
	}
}

func equalScenes(a, b Scene) bool {
	if a.Rows != b.Rows || a.Cols != b.Cols || len(a.Cells) != len(b.Cells) {
		return false
	}
	for i := range a.Cells {
		if a.Cells[i] != b.Cells[i] {
			return false
		}
	}
	return true
}

func TestRandom(t *testing.T) {
	rng := NewRand(1)
	counts := map[Cell]int{}
	for range 2000 {
		s := Random(rng, &RandomOptions{Fill: 0.05})
		if err := s.Validate(); err != nil {
			t.Fatalf("Random gave %+v: %v", s, err)
		}
		for _, c := range s.Cells {
			if c.Filled {
				counts[c]++
			}
		}
	}
	if len(counts) != NumShapes*NumColours {
		t.Errorf("2000 scenes show %d shape/colour pairs, want all %d", len(counts), NumShapes*NumColours)
	}
	if s := Random(rng, &RandomOptions{Rows: 3, Cols: 3, Fill: 1}); len(s.Cells) != 9 {
		t.Errorf("3x3 scene has %d cells", len(s.Cells))
	}
	for _, bad := range []RandomOptions{{Rows: 4, Cols: 4}, {Rows: 2}, {Fill: 1.5}, {Fill: -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Random(%+v) did not panic", bad)
				}
			}()
			Random(rng, &bad)
		}()
	}
}

// Every size and aspect the toy model meets renders; shapes stay strictly
// inside their cells (the cell's border pixels are untouched background) and
// empty cells stay empty.
func TestRenderStaysInCells(t *testing.T) {
	sizes := [][2]int{{200, 200}, {640, 480}, {480, 640}, {1600, 1600}, {1600, 200}, {200, 1600}, {333, 257}}
	rng := NewRand(11)
	for i, sz := range sizes {
		for _, grid := range []int{2, 3} {
			s := Random(rng, &RandomOptions{Rows: grid, Cols: grid, Fill: 0.7})
			img := Render(s, sz[0], sz[1], rng, &RenderOptions{Noise: -1, MaxScale: 0.9})
			if img.Bounds() != image.Rect(0, 0, sz[0], sz[1]) {
				t.Fatalf("bounds %v", img.Bounds())
			}
			bg := img.NRGBAAt(0, 0)
			for r := range grid {
				for c := range grid {
					box := CellBox(s, sz[0], sz[1], r, c)
					painted := 0
					for y := box.Min.Y; y < box.Max.Y; y++ {
						for x := box.Min.X; x < box.Max.X; x++ {
							if img.NRGBAAt(x, y) == bg {
								continue
							}
							painted++
							if x == box.Min.X || y == box.Min.Y || x == box.Max.X-1 || y == box.Max.Y-1 {
								t.Fatalf("case %d %v %dx%d: cell %d,%d painted on its border at %d,%d", i, sz, grid, grid, r, c, x, y)
							}
						}
					}
					if filled := s.At(r, c).Filled; filled != (painted > 0) {
						t.Errorf("case %d %v: cell %d,%d filled=%v but %d pixels painted", i, sz, r, c, filled, painted)
					}
				}
			}
		}
	}
}

// Shapes sit near their cell's middle, so that the place words follow from
// the picture for either grid (see maxShift).
func TestRenderNearCellMiddle(t *testing.T) {
	rng := NewRand(13)
	for range 60 {
		grid := 2 + rng.IntN(2)
		w, h := 200+rng.IntN(1000), 200+rng.IntN(1000)
		s := Random(rng, &RandomOptions{Rows: grid, Cols: grid, Fill: 1})
		img := Render(s, w, h, rng, &RenderOptions{Noise: -1})
		bg := img.NRGBAAt(0, 0)
		for r := range grid {
			for c := range grid {
				box := CellBox(s, w, h, r, c)
				painted := image.Rectangle{}
				for y := box.Min.Y; y < box.Max.Y; y++ {
					for x := box.Min.X; x < box.Max.X; x++ {
						if img.NRGBAAt(x, y) != bg {
							painted = painted.Union(image.Rect(x, y, x+1, y+1))
						}
					}
				}
				dx := float64(painted.Min.X+painted.Max.X-box.Min.X-box.Max.X) / 2
				dy := float64(painted.Min.Y+painted.Max.Y-box.Min.Y-box.Max.Y) / 2
				if dx*dx > sq(maxShift*float64(box.Dx())+1.5) || dy*dy > sq(maxShift*float64(box.Dy())+1.5) {
					t.Fatalf("%dx%d %dx%d cell %d,%d: %v drawn at %v in %v, off by %.1f, %.1f", grid, grid, w, h, r, c, s.At(r, c), painted, box, dx, dy)
				}
			}
		}
	}
}

func sq(x float64) float64 { return x * x }

// cellColour is what a colour classifier reading the image sees in a cell:
// the class most of its classifiable pixels belong to, and that share.
func cellColour(img *image.NRGBA, box image.Rectangle) (c Colour, share float64, n int) {
	var votes [NumColours]int
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			if k, ok := Classify(img.NRGBAAt(x, y)); ok {
				votes[k]++
				n++
			}
		}
	}
	for k := range votes {
		if votes[k] > votes[c] {
			c = Colour(k)
		}
	}
	if n == 0 {
		return 0, 0, 0
	}
	return c, float64(votes[c]) / float64(n), n
}

// With default tint and noise every shape's interior reads as its own
// colour and nothing else; backgrounds never read as any colour.
func TestColoursSeparable(t *testing.T) {
	rng := NewRand(21)
	for range 40 {
		s := Random(rng, &RandomOptions{Rows: 3, Cols: 3})
		w, h := 200+rng.IntN(400), 200+rng.IntN(400)
		img := Render(s, w, h, rng, nil)
		for i, cell := range s.Cells {
			box := CellBox(s, w, h, i/3, i%3)
			got, share, n := cellColour(img, box)
			if !cell.Filled {
				if n != 0 {
					t.Fatalf("empty cell %d has %d pixels of a shape colour", i, n)
				}
				continue
			}
			side := float64(min(box.Dx(), box.Dy()))
			r := defaultMinScale * side / 2
			// The smallest shape, the star, covers 1.3 r² at the smallest size.
			if got != cell.Colour || share < 0.999 || float64(n) < 1.0*r*r {
				t.Fatalf("cell %d: %v %v reads as %v (share %.3f, %d pixels, want >= %.0f)", i, cell.Colour, cell.Shape, got, share, n, r*r)
			}
		}
	}
	for range 10000 {
		if c, ok := Classify(background(rng)); ok {
			t.Fatalf("a background reads as %v", c)
		}
	}
}

type channelOrder struct {
	name string
	perm [3]int // output channel i takes input channel perm[i]
}

// The channel mix-ups of real pipelines: BGR for RGB, and packed pixels
// read one byte off in either direction.
var mixUps = []channelOrder{{"BGR", [3]int{2, 1, 0}}, {"GBR", [3]int{1, 2, 0}}, {"BRG", [3]int{2, 0, 1}}}

func permute(c color.NRGBA, p [3]int) color.NRGBA {
	in := [3]uint8{c.R, c.G, c.B}
	return color.NRGBA{in[p[0]], in[p[1]], in[p[2]], c.A}
}

func TestChannelMixUpsChangeColour(t *testing.T) {
	for _, m := range mixUps {
		for c := range Colour(NumColours) {
			if got, ok := Classify(permute(c.RGB(), m.perm)); ok && got == c {
				t.Errorf("%s leaves %v as %v", m.name, c, got)
			}
		}
	}
	if got, _ := Classify(permute(Red.RGB(), mixUps[0].perm)); got != Blue {
		t.Errorf("BGR turns red into %v, want blue", got)
	}
	if got, _ := Classify(permute(Blue.RGB(), mixUps[0].perm)); got != Red {
		t.Errorf("BGR turns blue into %v, want red", got)
	}
	// And on rendered pixels, tint and noise included.
	rng := NewRand(31)
	for range 20 {
		s := Random(rng, &RandomOptions{Rows: 3, Cols: 3, Fill: 1})
		img := Render(s, 300, 300, rng, nil)
		for _, m := range mixUps {
			sw := image.NewNRGBA(img.Bounds())
			for y := range 300 {
				for x := range 300 {
					sw.SetNRGBA(x, y, permute(img.NRGBAAt(x, y), m.perm))
				}
			}
			for i, cell := range s.Cells {
				got, share, n := cellColour(sw, CellBox(s, 300, 300, i/3, i%3))
				if n > 0 && got == cell.Colour && share > 0.5 {
					t.Fatalf("%s: %v %v still reads as %v", m.name, cell.Colour, cell.Shape, got)
				}
			}
		}
	}
}

func TestRenderObject(t *testing.T) {
	rng := NewRand(41)
	for _, sz := range [][2]int{{64, 64}, {120, 80}, {80, 120}, {400, 400}} {
		for sh := range Shape(NumShapes) {
			img := RenderObject(sh, Purple, sz[0], sz[1], rng)
			got, share, n := cellColour(img, img.Bounds())
			if got != Purple || share < 0.999 || n < sz[0]*sz[1]/20 {
				t.Errorf("%v %v: reads as %v (share %.3f, %d pixels)", sz, sh, got, share, n)
			}
		}
	}
}

func TestRenderPanics(t *testing.T) {
	ok := Random(NewRand(1), nil)
	for name, f := range map[string]func(){
		"zero width": func() { Render(ok, 0, 10, NewRand(1), nil) },
		"bad scene":  func() { Render(Scene{Rows: 2, Cols: 2}, 10, 10, NewRand(1), nil) },
		"bad scale":  func() { Render(ok, 10, 10, NewRand(1), &RenderOptions{MinScale: 0.8, MaxScale: 0.5}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// Golden images pin the look of the toy world; a change here changes what
// the toy model was trained on. Regenerate with go test -update.
func TestGolden(t *testing.T) {
	// The noisy one pins the noise too; the clean one keeps the outlines
	// easy to inspect (and the file small).
	cases := []struct {
		file       string
		seed       uint64
		grid, w, h int
		opts       *RenderOptions
	}{
		{"scene_2x2_240x180.png", 1, 2, 240, 180, nil},
		{"scene_3x3_180x240_clean.png", 2, 3, 180, 240, &RenderOptions{Noise: -1}},
	}
	for _, tc := range cases {
		rng := NewRand(tc.seed)
		s := Random(rng, &RandomOptions{Rows: tc.grid, Cols: tc.grid})
		img := Render(s, tc.w, tc.h, rng, tc.opts)
		path := filepath.Join("testdata", tc.file)
		if *update {
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := readPNG(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if err := similar(img, want); err != nil {
			t.Errorf("%s: %v (if the change is intended, run go test -update)", tc.file, err)
		}
	}
}

func readPNG(path string) (*image.NRGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		return nil, err
	}
	// The encoder stores opaque images as RGB, which decodes as *image.RGBA.
	n := image.NewNRGBA(m.Bounds())
	draw.Draw(n, n.Bounds(), m, m.Bounds().Min, draw.Src)
	return n, nil
}

// similar allows a few pixels to differ by more than a level or two: on
// architectures where the compiler fuses multiply-adds, a sample exactly on
// an outline can fall the other way.
func similar(got, want *image.NRGBA) error {
	if got.Bounds() != want.Bounds() {
		return fmt.Errorf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	bad := 0
	for i := range got.Pix {
		d := int(got.Pix[i]) - int(want.Pix[i])
		if d > 2 || d < -2 {
			bad++
		}
	}
	if bad > len(got.Pix)/2000 {
		return fmt.Errorf("%d of %d channel values differ", bad, len(got.Pix))
	}
	return nil
}

// BenchmarkRender is the cost of one training image at a typical size.
func BenchmarkRender(b *testing.B) {
	rng := NewRand(1)
	s := Random(rng, &RandomOptions{Rows: 3, Cols: 3, Fill: 1})
	for b.Loop() {
		Render(s, 640, 480, rng, nil)
	}
}
