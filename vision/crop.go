package vision

import (
	"image"
	"math"
)

// Crop cuts the box b, given in original pixels, out of img with a context
// margin: margin is the fraction of the box's width (height) added on the
// left and right (top and bottom), so 0 crops the box exactly and 1 gives
// a crop three times as wide and high with the box in the centre — the
// "focal" crop that region captioners such as Describe Anything pair with
// the whole image. The crop is clamped to the image and aligned outward
// to img's pixel grid; the returned Box is the area actually cut, in
// original pixels, and is also the crop's Region.
//
// img may itself be a resized image, a crop or a tile: b is always in
// original pixels. Errors wrap ErrEmptyBox for boxes without area,
// ErrBoxOutside for boxes that miss the image, ErrInvalid for NaN or a
// negative margin.
func Crop(img *Image, b Box, margin float64) (*Image, Box, error) {
	if !b.finite() {
		return nil, Box{}, newError("crop", img.Source, ErrInvalid, "box %v has a coordinate that is not a finite number", b)
	}
	if math.IsNaN(margin) || math.IsInf(margin, 0) || margin < 0 {
		return nil, Box{}, newError("crop", img.Source, ErrInvalid, "margin %v must be a finite number >= 0", margin)
	}
	if b.Empty() {
		return nil, Box{}, newError("crop", img.Source, ErrEmptyBox,
			"box %v is empty: x1 must be greater than x0 and y1 greater than y0", b)
	}
	if b.Intersect(img.Region).Empty() {
		return nil, Box{}, newError("crop", img.Source, ErrBoxOutside, "box %v lies outside %s", b, img.describe())
	}
	mx, my := margin*b.Dx(), margin*b.Dy()
	want := Box{b.X0 - mx, b.Y0 - my, b.X1 + mx, b.Y1 + my}.Intersect(img.Region)
	r := img.pixelRect(want)
	if r.Empty() {
		return nil, Box{}, newError("crop", img.Source, ErrEmptyBox, "box %v covers no pixel of %s", b, img.describe())
	}
	out, actual := img.cut(r)
	return out, actual, nil
}

// pixelRect maps a box in original pixels to img's pixel grid, rounding
// outward and clamping to the image.
func (im *Image) pixelRect(b Box) image.Rectangle {
	R := im.Region
	sx := float64(im.Width()) / R.Dx()
	sy := float64(im.Height()) / R.Dy()
	// The epsilon keeps a box that lands on a pixel edge, up to float
	// noise from earlier conversions, from growing by a whole pixel.
	const eps = 1e-6
	r := image.Rect(
		int(math.Floor((b.X0-R.X0)*sx+eps)),
		int(math.Floor((b.Y0-R.Y0)*sy+eps)),
		int(math.Ceil((b.X1-R.X0)*sx-eps)),
		int(math.Ceil((b.Y1-R.Y0)*sy-eps)),
	)
	return r.Intersect(im.Bounds())
}

// boxOf maps a pixel rectangle of img back to original pixels.
func (im *Image) boxOf(r image.Rectangle) Box {
	R := im.Region
	sx := R.Dx() / float64(im.Width())
	sy := R.Dy() / float64(im.Height())
	return Box{
		R.X0 + float64(r.Min.X)*sx, R.Y0 + float64(r.Min.Y)*sy,
		R.X0 + float64(r.Max.X)*sx, R.Y0 + float64(r.Max.Y)*sy,
	}
}

// cut copies the pixels of r, which must lie inside img, into a new image.
func (im *Image) cut(r image.Rectangle) (*Image, Box) {
	box := im.boxOf(r)
	if r == im.Bounds() {
		return im, im.Region // images are immutable: share, don't copy
	}
	w, h := r.Dx(), r.Dy()
	pix := make([]byte, 3*w*h)
	stride := 3 * im.Width()
	for y := range h {
		s := (r.Min.Y+y)*stride + 3*r.Min.X
		copy(pix[3*w*y:3*w*(y+1)], im.rgb.Pix[s:s+3*w])
	}
	return im.derive(RGB{Pix: pix, Width: w, Height: h}, box), box
}
