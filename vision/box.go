package vision

import (
	"encoding/json"
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"
)

// Box is an axis-aligned rectangle [X0, X1) x [Y0, Y1). Unless a function
// says otherwise it is in pixels of the original upright image (the space
// of Image.OrigWidth x Image.OrigHeight), whatever size the image at hand
// has been resized to. Coordinates are float64 so that conversions between
// model conventions do not lose precision along the way.
type Box struct {
	X0, Y0, X1, Y1 float64
}

// Dx returns the width.
func (b Box) Dx() float64 { return b.X1 - b.X0 }

// Dy returns the height.
func (b Box) Dy() float64 { return b.Y1 - b.Y0 }

// Empty reports whether the box has no area (or holds NaN).
func (b Box) Empty() bool { return !(b.X1 > b.X0 && b.Y1 > b.Y0) }

// String formats the box as "x0,y0,x1,y1", the form ParseBox reads.
func (b Box) String() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	return f(b.X0) + "," + f(b.Y0) + "," + f(b.X1) + "," + f(b.Y1)
}

// Round returns the box with each coordinate rounded to the nearest
// integer, the form models are prompted and answer with.
func (b Box) Round() Box {
	return Box{math.Round(b.X0), math.Round(b.Y0), math.Round(b.X1), math.Round(b.Y1)}
}

// Rect returns the smallest integer rectangle that contains the box.
func (b Box) Rect() image.Rectangle {
	return image.Rect(int(math.Floor(b.X0)), int(math.Floor(b.Y0)), int(math.Ceil(b.X1)), int(math.Ceil(b.Y1)))
}

// Intersect returns the part of b inside o; it may be Empty.
func (b Box) Intersect(o Box) Box {
	return Box{max(b.X0, o.X0), max(b.Y0, o.Y0), min(b.X1, o.X1), min(b.Y1, o.Y1)}
}

func (b Box) finite() bool {
	for _, v := range [4]float64{b.X0, b.Y0, b.X1, b.Y1} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// ParseBox reads four numbers x0, y0, x1, y1 separated by commas or spaces.
// Brackets and parentheses are ignored, so the way models print boxes,
// "[10, 20, 110, 220]" or "(10,20),(110,220)", parses too. It does not
// check the order of the corners; Crop reports empty boxes.
func ParseBox(s string) (Box, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case '(', ')', '[', ']', '{', '}':
			return ' '
		}
		return r
	}, s)
	fields := strings.FieldsFunc(clean, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
	if len(fields) != 4 {
		return Box{}, newError("parse box", "", ErrInvalid, "%q has %d numbers, want 4 as x0,y0,x1,y1", s, len(fields))
	}
	var v [4]float64
	for i, f := range fields {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return Box{}, newError("parse box", "", ErrInvalid, "%q: %q is not a finite number", s, f)
		}
		v[i] = x
	}
	return Box{v[0], v[1], v[2], v[3]}, nil
}

// BoxFormat names a box convention used by vision-language models.
type BoxFormat int

const (
	// Pixels: pixels of the original upright image (this package's own).
	Pixels BoxFormat = iota
	// Normalized: fractions 0-1 of the view's width and height.
	Normalized
	// Per1000: 0-1000 of the view's width and height, as Qwen2-VL and
	// Qwen3-VL print boxes.
	Per1000
	// ResizedPixels: pixels of the image the model was given, after
	// resizing, as Qwen2.5-VL prints boxes.
	ResizedPixels
)

var boxFormatNames = [...]string{"pixels", "normalized", "per1000", "resized-pixels"}

func (f BoxFormat) String() string {
	if f >= 0 && int(f) < len(boxFormatNames) {
		return boxFormatNames[f]
	}
	return "BoxFormat(" + strconv.Itoa(int(f)) + ")"
}

// ParseBoxFormat reads a name written by BoxFormat.String, for flags and
// configuration files.
func ParseBoxFormat(s string) (BoxFormat, error) {
	for i, n := range boxFormatNames {
		if strings.EqualFold(s, n) {
			return BoxFormat(i), nil
		}
	}
	return 0, newError("parse box format", "", ErrInvalid, "unknown box format %q (want one of %s)",
		s, strings.Join(boxFormatNames[:], ", "))
}

// View is what a model was shown: Region of the original image, in
// original pixels, delivered as a Width x Height bitmap. Model boxes are
// relative to the view, so a box a model gives for a crop or tile maps
// back to the whole photo.
type View struct {
	Region        Box
	Width, Height int
}

// FullView is the view of a whole w x h image that was resized to
// resizedW x resizedH before the model saw it.
func FullView(w, h, resizedW, resizedH int) View {
	return View{Region: Box{0, 0, float64(w), float64(h)}, Width: resizedW, Height: resizedH}
}

// View returns the view this image gives a model: its Region at its size.
func (im *Image) View() View {
	return View{Region: im.Region, Width: im.Width(), Height: im.Height()}
}

// scale returns the factors that take original pixels to format units.
func (v View) scale(f BoxFormat) (sx, sy float64, err error) {
	if v.Region.Empty() || !v.Region.finite() {
		return 0, 0, newError("convert box", "", ErrInvalid, "view region %v is empty", v.Region)
	}
	switch f {
	case Normalized:
		return 1 / v.Region.Dx(), 1 / v.Region.Dy(), nil
	case Per1000:
		return 1000 / v.Region.Dx(), 1000 / v.Region.Dy(), nil
	case ResizedPixels:
		if v.Width <= 0 || v.Height <= 0 {
			return 0, 0, newError("convert box", "", ErrInvalid,
				"resized-pixels needs the resized size, got %dx%d", v.Width, v.Height)
		}
		return float64(v.Width) / v.Region.Dx(), float64(v.Height) / v.Region.Dy(), nil
	}
	return 0, 0, newError("convert box", "", ErrInvalid, "unknown box format %v", f)
}

// ToFormat converts a box from original pixels to format f within view v.
// Boxes are not clamped: part of a box may lie outside the view.
func ToFormat(b Box, f BoxFormat, v View) (Box, error) {
	if f == Pixels {
		return b, nil
	}
	sx, sy, err := v.scale(f)
	if err != nil {
		return Box{}, err
	}
	r := v.Region
	return Box{(b.X0 - r.X0) * sx, (b.Y0 - r.Y0) * sy, (b.X1 - r.X0) * sx, (b.Y1 - r.Y0) * sy}, nil
}

// FromFormat converts a box in format f within view v, as a model gave
// it, to original pixels.
func FromFormat(b Box, f BoxFormat, v View) (Box, error) {
	if f == Pixels {
		return b, nil
	}
	sx, sy, err := v.scale(f)
	if err != nil {
		return Box{}, err
	}
	r := v.Region
	return Box{r.X0 + b.X0/sx, r.Y0 + b.Y0/sy, r.X0 + b.X1/sx, r.Y0 + b.Y1/sy}, nil
}

// describe names the image in box errors.
func (im *Image) describe() string {
	full := Box{0, 0, float64(im.OrigWidth), float64(im.OrigHeight)}
	if im.Region == full {
		return fmt.Sprintf("the %dx%d image", im.OrigWidth, im.OrigHeight)
	}
	return fmt.Sprintf("region %v of the %dx%d image", im.Region, im.OrigWidth, im.OrigHeight)
}

// MarshalJSON writes the box as {"x0":..,"y0":..,"x1":..,"y1":..} with
// coordinates rounded to 1/1000 pixel, so conversions between conventions
// do not leak float noise (239.99999999999997) into results.
func (b Box) MarshalJSON() ([]byte, error) {
	r := func(v float64) float64 { return math.Round(v*1000) / 1000 }
	return json.Marshal(struct {
		X0 float64 `json:"x0"`
		Y0 float64 `json:"y0"`
		X1 float64 `json:"x1"`
		Y1 float64 `json:"y1"`
	}{r(b.X0), r(b.Y0), r(b.X1), r(b.Y1)})
}

// UnmarshalJSON reads what MarshalJSON writes, or an array [x0,y0,x1,y1].
func (b *Box) UnmarshalJSON(data []byte) error {
	var arr [4]float64
	if err := json.Unmarshal(data, &arr); err == nil {
		*b = Box{arr[0], arr[1], arr[2], arr[3]}
		return nil
	}
	var o struct{ X0, Y0, X1, Y1 float64 }
	if err := json.Unmarshal(data, &o); err != nil {
		return fmt.Errorf("vision: a box is [x0,y0,x1,y1] or {\"x0\":..,\"y0\":..,\"x1\":..,\"y1\":..}: %w", err)
	}
	*b = Box{o.X0, o.Y0, o.X1, o.Y1}
	return nil
}
