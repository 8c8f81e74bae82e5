package vision

import (
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the decoder and to the operations
// that follow it. The seed corpus in testdata/fuzz/FuzzDecode holds a
// small file of every format and container with an orientation tag.
//
//	go test -run '^$' -fuzz FuzzDecode -fuzztime 60s ./vision/
func FuzzDecode(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*\x00\x00\x00\x08"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Small limits keep each run fast; the guard logic is the same.
		im, err := DecodeBytes(data, &Options{MaxPixels: 1 << 20, MaxFileBytes: 1 << 20})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			for _, s := range []error{ErrCorrupt, ErrUnknownFormat, ErrUnsupported, ErrTooLarge, ErrFileTooLarge} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error %v matches no sentinel", err)
		}
		w, h := im.Width(), im.Height()
		if w < 1 || h < 1 || len(im.RGB().Pix) != 3*w*h || int64(w)*int64(h) > 1<<20 {
			t.Fatalf("bad image %dx%d with %d bytes", w, h, len(im.RGB().Pix))
		}
		if im.Orientation < 1 || im.Orientation > 8 || im.OrigWidth != w || im.OrigHeight != h {
			t.Fatalf("bad metadata %+v", im)
		}
		if _, _, err := Crop(im, Box{0, 0, 1, 1}, 0.5); err != nil {
			t.Fatal(err)
		}
		if _, err := Resize(im, 7, 5, Lanczos); err != nil {
			t.Fatal(err)
		}
		if _, err := Grid(im, 1, 1, 0); err != nil {
			t.Fatal(err)
		}
		im.RGB().Hash()
	})
}
