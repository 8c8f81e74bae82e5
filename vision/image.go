package vision

import (
	"crypto/sha256"
	"encoding/binary"
	"image"
	"image/color"
)

// RGB is a packed 8-bit RGB image: 3 bytes a pixel, rows stored one after
// another with no padding, the layout llama.cpp's mtmd bitmaps take. Pix
// holds exactly 3*Width*Height bytes.
type RGB struct {
	Pix           []byte
	Width, Height int
}

// Hash returns the SHA-256 of the width, the height and the pixels. Two
// images with the same hash show the same pixels, whatever file or format
// they came from, which is what an embedding cache needs as a key.
func (p *RGB) Hash() [32]byte {
	h := sha256.New()
	var hdr [16]byte
	copy(hdr[:8], "capgrgb1")
	binary.LittleEndian.PutUint32(hdr[8:], uint32(p.Width))
	binary.LittleEndian.PutUint32(hdr[12:], uint32(p.Height))
	h.Write(hdr[:])
	h.Write(p.Pix[:3*p.Width*p.Height])
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// Image is an upright, opaque RGB image with where it came from.
//
// An Image is never modified after it is returned, so it is safe for
// concurrent use; the functions that derive images (Resize, Crop, Grid,
// ...) return new ones. *Image implements image.Image.
type Image struct {
	// Format is the detected format: "jpeg", "png", "gif", "bmp", "tiff" or
	// "webp"; empty for images made by FromImage.
	Format string
	// Source is the path or Options.Name, for messages.
	Source string
	// Orientation is the EXIF orientation (1-8) found in the file, 1 when
	// there was none. It has been applied unless Options.NoAutoOrient.
	Orientation int
	// OrigWidth and OrigHeight are the size of the whole upright image as
	// loaded, the space that boxes are given in.
	OrigWidth, OrigHeight int
	// Region is the part of the original image these pixels show, in
	// original pixels: the whole frame after loading or resizing, the
	// crop or tile box after Crop and Grid.
	Region Box

	rgb RGB
}

// RGB returns the packed pixels. They are shared with the Image and must
// not be modified.
func (im *Image) RGB() *RGB { return &im.rgb }

// Width returns the pixel width of this image (not of the original).
func (im *Image) Width() int { return im.rgb.Width }

// Height returns the pixel height of this image (not of the original).
func (im *Image) Height() int { return im.rgb.Height }

// Bounds returns the pixel rectangle, always anchored at (0, 0).
func (im *Image) Bounds() image.Rectangle { return image.Rect(0, 0, im.rgb.Width, im.rgb.Height) }

// ColorModel returns color.RGBAModel: every pixel is opaque.
func (im *Image) ColorModel() color.Model { return color.RGBAModel }

// At returns the colour at (x, y), or transparent black outside Bounds.
func (im *Image) At(x, y int) color.Color { return im.RGBAAt(x, y) }

// RGBAAt is At without the interface conversion.
func (im *Image) RGBAAt(x, y int) color.RGBA {
	if !(image.Point{x, y}.In(im.Bounds())) {
		return color.RGBA{}
	}
	i := 3 * (y*im.rgb.Width + x)
	p := im.rgb.Pix[i : i+3 : i+3]
	return color.RGBA{p[0], p[1], p[2], 0xff}
}

// derive makes an image that shares the provenance of im.
func (im *Image) derive(rgb RGB, region Box) *Image {
	return &Image{
		Format:      im.Format,
		Source:      im.Source,
		Orientation: im.Orientation,
		OrigWidth:   im.OrigWidth,
		OrigHeight:  im.OrigHeight,
		Region:      region,
		rgb:         rgb,
	}
}

// FromImage converts any image.Image, flattening alpha onto opt.Background.
// The result treats m as the original: its Region is the whole frame.
// Only Options.Background is used.
func FromImage(m image.Image, opt *Options) *Image {
	s := opt.settings()
	rgb := toRGB(m, 1, s.bg, false)
	return &Image{
		Source:      s.name,
		Orientation: 1,
		OrigWidth:   rgb.Width,
		OrigHeight:  rgb.Height,
		Region:      Box{0, 0, float64(rgb.Width), float64(rgb.Height)},
		rgb:         rgb,
	}
}
