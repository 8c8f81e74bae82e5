package vision

import "image/color"

// Defaults used when the matching Options field is zero.
const (
	// DefaultMaxPixels is 100 megapixels: above any phone camera, below the
	// size at which a decoded image (3-4 bytes a pixel) stops fitting
	// comfortably beside a model in memory.
	DefaultMaxPixels = 100_000_000
	// DefaultMaxFileBytes is 256 MiB.
	DefaultMaxFileBytes = 256 << 20
)

// Options controls decoding. A nil *Options means all defaults; each zero
// field means its default, so callers set only what they change.
type Options struct {
	// MaxPixels rejects images whose width*height is larger, before the
	// pixels are decoded. 0 means DefaultMaxPixels; negative means no limit.
	MaxPixels int64
	// MaxFileBytes rejects larger inputs before reading them. 0 means
	// DefaultMaxFileBytes; negative means no limit.
	MaxFileBytes int64
	// Background is what transparent pixels are flattened onto; its own
	// alpha is ignored. nil means white, the usual page colour behind
	// logos and screenshots.
	Background color.Color
	// NoAutoOrient keeps the stored pixel order instead of applying the
	// EXIF orientation. The zero value orients, because a model shown a
	// sideways photo describes it, and places boxes, wrongly.
	NoAutoOrient bool
	// Name names the input in errors and in Image.Source when decoding
	// from a reader or bytes; Load uses the path.
	Name string
	// ReduceTo lets decoding shrink the image by a whole factor while it
	// converts the decoder's output, as long as the longer side stays at
	// least ReduceTo pixels (0: full size). The full-size RGB is never
	// made, which is what lets a 150-megapixel photo be captioned in the
	// memory of a much smaller one. Boxes stay in original pixels
	// (Image.OrigWidth, OrigHeight and Region keep the full size). GIF
	// frames are not reduced.
	ReduceTo int
}

type settings struct {
	maxPixels    int64
	maxFileBytes int64
	bg           [3]uint16
	orient       bool
	name         string
	reduceTo     int
}

func (o *Options) settings() settings {
	s := settings{
		maxPixels:    DefaultMaxPixels,
		maxFileBytes: DefaultMaxFileBytes,
		bg:           [3]uint16{0xffff, 0xffff, 0xffff},
		orient:       true,
	}
	if o == nil {
		return s
	}
	if o.MaxPixels != 0 {
		s.maxPixels = o.MaxPixels
	}
	if o.MaxFileBytes != 0 {
		s.maxFileBytes = o.MaxFileBytes
	}
	if o.Background != nil {
		r, g, b, a := o.Background.RGBA()
		if a != 0 && a != 0xffff {
			// Un-premultiply: the background is meant as an opaque colour.
			r, g, b = r*0xffff/a, g*0xffff/a, b*0xffff/a
		}
		s.bg = [3]uint16{uint16(r), uint16(g), uint16(b)}
	}
	s.orient = !o.NoAutoOrient
	s.name = o.Name
	s.reduceTo = max(0, o.ReduceTo)
	return s
}
