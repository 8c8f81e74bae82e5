package scene

import (
	"image/color"
	"math"
	"math/rand/v2"
)

// palette holds the canonical colours. The values are not the obvious pure
// primaries because of channel swaps (see the package documentation):
//   - Red and Blue are each other's red/blue swap exactly, so a BGR mix-up
//     turns one answer into the other.
//   - Green carries 60 more blue than red and Purple 70 more, so their
//     red/blue swaps (lime, magenta) fall out of every class; a pure green
//     or a balanced purple would survive the swap unchanged.
//   - Orange swaps to an azure nearest Blue; Yellow to a cyan far from all.
//
// Every pair is at least 90 apart (Euclidean, 8-bit RGB), more than twice
// MaxColourDistance, so no pixel is within reach of two classes.
var palette = [NumColours]color.NRGBA{
	Red:    {220, 30, 30, 255},
	Green:  {30, 170, 90, 255},
	Blue:   {30, 30, 220, 255},
	Yellow: {240, 210, 30, 255},
	Purple: {140, 40, 210, 255},
	Orange: {245, 120, 20, 255},
}

// RGB returns the canonical colour; rendered shapes vary around it by the
// render tint and noise.
func (c Colour) RGB() color.NRGBA {
	if !c.valid() {
		return color.NRGBA{A: 255}
	}
	return palette[c]
}

// MaxColourDistance is how far (Euclidean, 8-bit RGB) a pixel may be from a
// canonical colour and still belong to its class. Rendered shape interiors
// stay within about 25 of it (tint 10 and noise 4 per channel at most).
const MaxColourDistance = 40

// Classify returns the colour class of c: the nearest canonical colour,
// with ok false when none is within MaxColourDistance (backgrounds,
// anti-aliased edges, colours a channel swap produced). Alpha is ignored.
func Classify(c color.Color) (Colour, bool) {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	best, bestD := Colour(0), math.Inf(1)
	for i, p := range palette {
		if d := distance(n, p); d < bestD {
			best, bestD = Colour(i), d
		}
	}
	return best, bestD <= MaxColourDistance
}

func distance(a, b color.NRGBA) float64 {
	dr := float64(a.R) - float64(b.R)
	dg := float64(a.G) - float64(b.G)
	db := float64(a.B) - float64(b.B)
	return math.Sqrt(dr*dr + dg*dg + db*db)
}

// background returns a light, nearly grey tint. Saturation at most 0.15 and
// value at least 0.82 keep every channel above about 175, at least 145 away
// from the darkest channel of every shape colour, so a background can never
// be read as a shape colour, before or after a channel swap.
func background(rng *rand.Rand) color.NRGBA {
	h := rng.Float64() * 6
	s := rng.Float64() * 0.15
	v := 0.82 + rng.Float64()*0.15
	return hsv(h, s, v)
}

// hsv converts hue in [0, 6) sextants, saturation and value in [0, 1].
func hsv(h, s, v float64) color.NRGBA {
	i := math.Floor(h)
	f := h - i
	p, q, t := v*(1-s), v*(1-s*f), v*(1-s*(1-f))
	var r, g, b float64
	switch int(i) % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.NRGBA{to8(r), to8(g), to8(b), 255}
}

func to8(x float64) uint8 { return uint8(math.Round(255 * x)) }
