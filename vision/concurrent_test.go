package vision

import (
	"encoding/binary"
	"sync"
	"testing"
)

// TestConcurrentUse shares one decoded image between goroutines that
// derive images from it while others decode; run under -race it checks
// the concurrency contract in doc.go.
func TestConcurrentUse(t *testing.T) {
	data := withJPEGExif(encodeJPEG(t, quadrants(256, 128), 90), 6, binary.LittleEndian)
	im, err := DecodeBytes(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := im.RGB().Hash()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			again, err := DecodeBytes(data, nil)
			if err != nil || again.RGB().Hash() != want {
				t.Errorf("decode differs: %v", err)
			}
			r, err := ResizeMax(im, 50, Lanczos)
			if err != nil || r.Width() != 25 {
				t.Errorf("resize: %v", err)
			}
			if _, _, err := Crop(im, Box{10, 10, 60, 60}, 0.3); err != nil {
				t.Error(err)
			}
			if _, err := Pyramid(im, 0.1, 1, 2, 3); err != nil {
				t.Error(err)
			}
			if im.RGB().Hash() != want {
				t.Error("shared image changed")
			}
		})
	}
	wg.Wait()
}
