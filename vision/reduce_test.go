package vision

import (
	"encoding/binary"
	"image"
	"image/color"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// meanReduce is the reference: the f x f block means of a full RGB.
func meanReduce(p RGB, f int) RGB {
	rw, rh := (p.Width+f-1)/f, (p.Height+f-1)/f
	out := RGB{Pix: make([]byte, 3*rw*rh), Width: rw, Height: rh}
	for by := range rh {
		for bx := range rw {
			var sum [3]int
			n := 0
			for y := by * f; y < min((by+1)*f, p.Height); y++ {
				for x := bx * f; x < min((bx+1)*f, p.Width); x++ {
					for c := range 3 {
						sum[c] += int(p.Pix[3*(y*p.Width+x)+c])
					}
					n++
				}
			}
			for c := range 3 {
				out.Pix[3*(by*rw+bx)+c] = uint8((sum[c] + n/2) / n)
			}
		}
	}
	return out
}

func noise(w, h int, seed uint64) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
		if i%4 == 3 {
			m.Pix[i] = 255
		}
	}
	return m
}

// Reduced conversion equals the block means of the full conversion, for
// sides that divide and sides that do not (narrower last blocks).
func TestReducedConversionIsTheBlockMean(t *testing.T) {
	for _, tc := range []struct{ w, h, f int }{{64, 48, 2}, {67, 50, 3}, {101, 7, 4}, {5, 5, 8}} {
		m := noise(tc.w, tc.h, uint64(tc.w))
		full := toRGB(m, 1, [3]uint16{}, false)
		got := toRGBReduced(m, 1, [3]uint16{}, false, tc.f)
		want := meanReduce(full, tc.f)
		require.Equal(t, want.Width, got.Width, "%+v", tc)
		require.Equal(t, want.Height, got.Height, "%+v", tc)
		assert.Equal(t, want.Pix, got.Pix, "%+v", tc)
	}
	// With an orientation, reduction and orientation commute when the
	// factor divides the sides.
	m := noise(64, 32, 7)
	for o := 1; o <= 8; o++ {
		want := meanReduce(toRGB(m, o, [3]uint16{}, false), 4)
		got := toRGBReduced(m, o, [3]uint16{}, false, 4)
		assert.Equal(t, want, got, "orientation %d", o)
	}
}

// A decoded image may be reduced but never below ReduceTo on its longer
// side; boxes stay in original pixels, so a crop of a box finds the same
// content as on the full-size image.
func TestDecodeReduceTo(t *testing.T) {
	const w, h = 1600, 1200
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = 255
	}
	red := color.NRGBA{255, 0, 0, 255}
	for y := 800; y < 1000; y++ {
		for x := 1200; x < 1400; x++ {
			m.SetNRGBA(x, y, red)
		}
	}
	data := encodePNG(t, m)
	for _, tc := range []struct{ reduceTo, wantW int }{{0, 1600}, {1600, 1600}, {900, 1600}, {800, 800}, {500, 534}, {300, 320}} {
		img, err := DecodeBytes(data, &Options{ReduceTo: tc.reduceTo})
		require.NoError(t, err)
		assert.Equal(t, tc.wantW, img.Width(), "ReduceTo %d", tc.reduceTo)
		assert.GreaterOrEqual(t, img.Width(), min(tc.reduceTo, w))
		assert.Equal(t, w, img.OrigWidth)
		assert.Equal(t, h, img.OrigHeight)
		assert.Equal(t, Box{0, 0, w, h}, img.Region)
		crop, _, err := Crop(img, Box{1250, 850, 1350, 950}, 0)
		require.NoError(t, err)
		c := crop.RGBAAt(crop.Width()/2, crop.Height()/2)
		assert.Equal(t, color.RGBA{255, 0, 0, 255}, c, "ReduceTo %d: the box's centre", tc.reduceTo)
	}
	// Orientation 6 (a quarter turn): the upright size is reported.
	j := withJPEGExif(encodeJPEG(t, quadrants(640, 320), 90), 6, binary.BigEndian)
	img, err := DecodeBytes(j, &Options{ReduceTo: 100})
	require.NoError(t, err)
	assert.Equal(t, [4]int{320, 640, 54, 107}, [4]int{img.OrigWidth, img.OrigHeight, img.Width(), img.Height()})
}

// BenchmarkDecodeReduced: memory of decoding a 24-megapixel JPEG at full
// size against ReduceTo 1024 (what describe asks for with the default
// --max-side), as MiB allocated per decode (everything a decode allocates
// stays live until it returns, so this is its peak heap) and as the ratio
// to the full decode measured in the same run. docs/performance.md has the
// process-level figures for 100 and 150 megapixels.
func BenchmarkDecodeReduced(b *testing.B) {
	data := encodeJPEG(b, quadrants(6000, 4000), 85)
	var full float64
	for _, tc := range []struct {
		name string
		opt  *Options
	}{{"full", nil}, {"reduce1024", &Options{ReduceTo: 1024}}} {
		b.Run(tc.name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range b.N {
				if _, err := DecodeBytes(data, tc.opt); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&after)
			mib := float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N) / (1 << 20)
			if tc.opt == nil {
				full = mib
			}
			b.ReportMetric(mib, "MiB/op")
			b.ReportMetric(mib/full, "x-full")
		})
	}
}
