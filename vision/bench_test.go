package vision

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/disintegration/imaging"
)

const benchW, benchH = 4000, 3000

var bench12MP = sync.OnceValues(func() ([]byte, error) {
	// Gradients plus noise, so that the file is as hard to decode as a
	// detailed photo; 4:2:0 as cameras write.
	m := image.NewYCbCr(image.Rect(0, 0, benchW, benchH), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(12, 0))
	for y := range benchH {
		for x := range benchW {
			m.Y[y*m.YStride+x] = uint8((x*255/benchW+y*255/benchH)/2) + uint8(rng.IntN(32))
		}
	}
	for y := range benchH / 2 {
		for x := range benchW / 2 {
			m.Cb[y*m.CStride+x] = uint8(x * 255 / (benchW / 2))
			m.Cr[y*m.CStride+x] = uint8(y * 255 / (benchH / 2))
		}
	}
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90})
	return buf.Bytes(), err
})

func benchData(b *testing.B, orient int) []byte {
	data, err := bench12MP()
	if err != nil {
		b.Fatal(err)
	}
	if orient > 1 {
		data = withJPEGExif(data, orient, binary.BigEndian)
	}
	return data
}

// measure runs fn b.N times and reports, besides time and B/op, the bytes
// allocated per op as a multiple of the decoded RGB size (the memory
// goal is about 2).
func measure(b *testing.B, fn func() error) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	perOp := float64(after.TotalAlloc-before.TotalAlloc) / float64(b.N)
	b.ReportMetric(perOp/(3*benchW*benchH), "x-rgb-size")
}

// BenchmarkLoad12MP is this package's path: decode, orient (6 is a
// rotation, the costly case; 1 is none) and resize to 768 px.
func BenchmarkLoad12MP(b *testing.B) {
	for _, tc := range []struct {
		name   string
		orient int
		filter Filter
	}{
		{"orient1-lanczos", 1, Lanczos},
		{"orient6-lanczos", 6, Lanczos},
		{"orient6-area", 6, Area},
	} {
		b.Run(tc.name, func(b *testing.B) {
			data := benchData(b, tc.orient)
			measure(b, func() error {
				im, err := DecodeBytes(data, nil)
				if err != nil {
					return err
				}
				_, err = ResizeMax(im, 768, tc.filter)
				return err
			})
		})
	}
}

// BenchmarkImagingPlain12MP is the baseline: imaging's decode (no
// orientation) and Lanczos resize to 768 px.
func BenchmarkImagingPlain12MP(b *testing.B) {
	data := benchData(b, 1)
	measure(b, func() error {
		m, err := imaging.Decode(bytes.NewReader(data))
		if err != nil {
			return err
		}
		imaging.Resize(m, 768, 0, imaging.Lanczos)
		return nil
	})
}

// BenchmarkImagingAutoOrient12MP is imaging doing the same work as ours
// on the rotated photo.
func BenchmarkImagingAutoOrient12MP(b *testing.B) {
	data := benchData(b, 6)
	measure(b, func() error {
		m, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
		if err != nil {
			return err
		}
		imaging.Resize(m, 768, 0, imaging.Lanczos)
		return nil
	})
}
