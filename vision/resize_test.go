package vision

import (
	"errors"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/disintegration/imaging"
)

func TestFitSide(t *testing.T) {
	tests := []struct{ w, h, max, ww, wh int }{
		{4000, 3000, 768, 768, 576},
		{3000, 4000, 768, 576, 768},
		{500, 300, 768, 500, 300},
		{10000, 10, 100, 100, 1},
		{768, 768, 768, 768, 768},
	}
	for _, tt := range tests {
		if w, h := FitSide(tt.w, tt.h, tt.max); w != tt.ww || h != tt.wh {
			t.Errorf("FitSide(%d, %d, %d) = %d, %d; want %d, %d", tt.w, tt.h, tt.max, w, h, tt.ww, tt.wh)
		}
	}
}

func TestFitTokens(t *testing.T) {
	tests := []struct{ w, h, patch, max, ww, wh int }{
		// Under budget: nearest multiples of the patch.
		{640, 480, 28, 1000, 644, 476},
		{100, 100, 28, 1000, 112, 112},
		{10, 10, 28, 1000, 28, 28},
		// Over budget: scaled down to fit.
		{4000, 3000, 28, 1024, 1008, 756},
		{4000, 3000, 32, 256, 576, 416},
		// Extreme aspect ratio: the short side stays one patch.
		{10000, 10, 14, 16, 224, 14},
		{1000, 1000, 16, 1, 16, 16},
		{0, 10, 14, 16, 0, 0},
	}
	for _, tt := range tests {
		w, h := FitTokens(tt.w, tt.h, tt.patch, tt.max)
		if w != tt.ww || h != tt.wh {
			t.Errorf("FitTokens(%d, %d, %d, %d) = %d, %d; want %d, %d", tt.w, tt.h, tt.patch, tt.max, w, h, tt.ww, tt.wh)
		}
		if tt.ww > 0 && (w/tt.patch)*(h/tt.patch) > tt.max {
			t.Errorf("FitTokens(%d, %d, %d, %d) over budget", tt.w, tt.h, tt.patch, tt.max)
		}
	}
}

func TestResizeFlatStaysFlat(t *testing.T) {
	m := image.NewRGBA(image.Rect(0, 0, 123, 77))
	for i := 0; i < len(m.Pix); i += 4 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3] = 200, 100, 3, 255
	}
	img := FromImage(m, nil)
	for _, f := range []Filter{Lanczos, CatmullRom, Linear, Area} {
		for _, size := range [][2]int{{40, 25}, {300, 200}, {123, 10}, {1, 1}} {
			r, err := Resize(img, size[0], size[1], f)
			if err != nil {
				t.Fatal(err)
			}
			if r.Width() != size[0] || r.Height() != size[1] || r.Region != img.Region {
				t.Fatalf("%v: size %dx%d region %v", f, r.Width(), r.Height(), r.Region)
			}
			for i := 0; i < len(r.RGB().Pix); i += 3 {
				if p := r.RGB().Pix[i : i+3]; p[0] != 200 || p[1] != 100 || p[2] != 3 {
					t.Fatalf("%v to %v: pixel %d = %v", f, size, i/3, p)
				}
			}
		}
	}
}

// TestResizeCloseToImaging compares with imaging's filters of the same
// name: two independent implementations of the same kernels.
func TestResizeCloseToImaging(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m := image.NewNRGBA(image.Rect(0, 0, 160, 120))
	for y := range 120 {
		for x := range 160 {
			v := uint8((x+y)/2 + rng.IntN(20)) // no wrap-around edges
			m.SetNRGBA(x, y, color.NRGBA{v, uint8(x), uint8(y * 2), 255})
		}
	}
	img := FromImage(m, nil)
	for _, tc := range []struct {
		f   Filter
		ref imaging.ResampleFilter
	}{{Lanczos, imaging.Lanczos}, {CatmullRom, imaging.CatmullRom}, {Linear, imaging.Linear}, {Area, imaging.Box}} {
		for _, size := range [][2]int{{50, 37}, {240, 180}} {
			if tc.f == Area && size[0] > 160 {
				continue // imaging's box filter enlarges by nearest neighbour, Area by overlap
			}
			got, err := Resize(img, size[0], size[1], tc.f)
			if err != nil {
				t.Fatal(err)
			}
			want := imaging.Resize(m, size[0], size[1], tc.ref)
			if d := maxDiff(t, got, want); d > 3 {
				t.Errorf("%v to %v: differs from imaging by %d", tc.f, size, d)
			}
		}
	}
}

func TestResizeAreaAverages(t *testing.T) {
	// Halving with Area is the mean of each 2x2 block.
	img := FromImage(&image.Gray{Pix: []uint8{0, 10, 20, 30, 100, 110, 120, 130}, Stride: 4, Rect: image.Rect(0, 0, 4, 2)}, nil)
	r, err := Resize(img, 2, 1, Area)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.RGB().Pix; got[0] != 55 || got[3] != 75 {
		t.Fatalf("pixels %v, want 55 and 75", got)
	}
	// Enlarging by 1.5 blends where an output pixel straddles two inputs.
	img = FromImage(&image.Gray{Pix: []uint8{0, 90}, Stride: 2, Rect: image.Rect(0, 0, 2, 1)}, nil)
	r, _ = Resize(img, 3, 1, Area)
	if got := r.RGB().Pix; got[0] != 0 || got[3] != 45 || got[6] != 90 {
		t.Fatalf("pixels %v, want 0, 45, 90", got)
	}
}

func TestResizeHelpers(t *testing.T) {
	img := gradient(400, 300)
	r, err := ResizeMax(img, 100, Area)
	if err != nil || r.Width() != 100 || r.Height() != 75 {
		t.Fatalf("ResizeMax: %v %v", r.Bounds(), err)
	}
	if r2, _ := ResizeMax(img, 1000, Area); r2 != img {
		t.Error("ResizeMax enlarged or copied an image already small enough")
	}
	r, err = ResizeTokens(img, 28, 64, Lanczos)
	if err != nil || r.Width()%28 != 0 || r.Height()%28 != 0 || (r.Width()/28)*(r.Height()/28) > 64 {
		t.Fatalf("ResizeTokens: %v %v", r.Bounds(), err)
	}
	if _, err := Resize(img, 100_000, 100_000, Lanczos); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge target: err = %v, want ErrTooLarge", err)
	}
	for _, err := range []error{
		func() error { _, err := Resize(img, 0, 10, Lanczos); return err }(),
		func() error { _, err := Resize(img, 10, 10, Filter(9)); return err }(),
		func() error { _, err := ResizeMax(img, 0, Lanczos); return err }(),
		func() error { _, err := ResizeTokens(img, 0, 10, Lanczos); return err }(),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("err = %v, want ErrInvalid", err)
		}
	}
}
