package vision

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// gradient returns a w x h image whose pixel (x, y) is (x, y, 0), so that
// any crop can be checked by its first pixel.
func gradient(w, h int) *Image {
	pix := make([]byte, 3*w*h)
	for y := range h {
		for x := range w {
			pix[3*(y*w+x)], pix[3*(y*w+x)+1] = uint8(x), uint8(y)
		}
	}
	return &Image{Source: "grad.png", Orientation: 1, OrigWidth: w, OrigHeight: h,
		Region: Box{0, 0, float64(w), float64(h)}, rgb: RGB{Pix: pix, Width: w, Height: h}}
}

func TestCrop(t *testing.T) {
	img := gradient(200, 100)
	tests := []struct {
		name   string
		box    Box
		margin float64
		want   Box
	}{
		{"exact", Box{10, 20, 50, 60}, 0, Box{10, 20, 50, 60}},
		{"fractional rounds outward", Box{10.5, 20.2, 49.1, 59.9}, 0, Box{10, 20, 50, 60}},
		{"margin", Box{50, 40, 70, 60}, 0.5, Box{40, 30, 80, 70}},
		{"margin clamped", Box{0, 0, 20, 10}, 1, Box{0, 0, 40, 20}},
		{"partly outside", Box{180, 90, 250, 150}, 0, Box{180, 90, 200, 100}},
		{"whole image", Box{-5, -5, 500, 500}, 0, Box{0, 0, 200, 100}},
		{"thinner than a pixel", Box{10.2, 10.2, 10.4, 10.4}, 0, Box{10, 10, 11, 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got, err := Crop(img, tt.box, tt.margin)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || c.Region != tt.want {
				t.Fatalf("box %v, region %v; want %v", got, c.Region, tt.want)
			}
			if c.Width() != int(tt.want.Dx()) || c.Height() != int(tt.want.Dy()) {
				t.Fatalf("size %dx%d", c.Width(), c.Height())
			}
			p := c.RGBAAt(0, 0)
			if int(p.R) != int(tt.want.X0) || int(p.G) != int(tt.want.Y0) {
				t.Fatalf("first pixel %v comes from the wrong place", p)
			}
			if c.OrigWidth != 200 || c.OrigHeight != 100 || c.Source != img.Source {
				t.Errorf("provenance lost: %+v", c)
			}
		})
	}
}

func TestCropErrors(t *testing.T) {
	img := gradient(200, 100)
	tests := []struct {
		box    Box
		margin float64
		err    error
		msg    string
	}{
		{Box{50, 50, 50, 60}, 0, ErrEmptyBox, "vision: crop grad.png: box 50,50,50,60 is empty: x1 must be greater than x0 and y1 greater than y0"},
		{Box{60, 50, 50, 60}, 0, ErrEmptyBox, "is empty"},
		{Box{300, 10, 400, 20}, 0, ErrBoxOutside, "vision: crop grad.png: box 300,10,400,20 lies outside the 200x100 image"},
		{Box{-50, -50, 0, 0}, 0, ErrBoxOutside, "outside"},
		{Box{math.NaN(), 0, 10, 10}, 0, ErrInvalid, "not a finite number"},
		{Box{0, 0, 10, 10}, -1, ErrInvalid, "margin"},
		{Box{0, 0, 10, 10}, math.Inf(1), ErrInvalid, "margin"},
	}
	for _, tt := range tests {
		_, _, err := Crop(img, tt.box, tt.margin)
		if !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Crop(%v, %v) err = %v, want %v containing %q", tt.box, tt.margin, err, tt.err, tt.msg)
		}
	}
}

func TestCropResizedAndNested(t *testing.T) {
	img := gradient(200, 100)
	small, err := Resize(img, 100, 50, Area)
	if err != nil {
		t.Fatal(err)
	}
	// Boxes stay in original pixels; the crop aligns to the small image's
	// two-pixel grid.
	c, box, err := Crop(small, Box{11, 21, 49, 59}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if box != (Box{10, 20, 50, 60}) || c.Width() != 20 || c.Height() != 20 {
		t.Fatalf("box %v, size %dx%d", box, c.Width(), c.Height())
	}
	// A crop of a crop: the box outside the first crop is refused.
	_, _, err = Crop(c, Box{100, 90, 120, 95}, 0)
	if !errors.Is(err, ErrBoxOutside) || !strings.Contains(err.Error(), "region 10,20,50,60 of the 200x100 image") {
		t.Fatalf("err = %v", err)
	}
	cc, box, err := Crop(c, Box{20, 30, 30, 40}, 0)
	if err != nil || box != (Box{20, 30, 30, 40}) || cc.Width() != 5 {
		t.Fatalf("nested crop %v %v %v", box, err, cc.Bounds())
	}
}
