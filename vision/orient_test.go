package vision

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
)

// TestOrientations stores the upright test image transformed for each of
// the eight EXIF orientations, with a real orientation tag in each
// container that carries one, and expects the upright image back.
func TestOrientations(t *testing.T) {
	const w, h = 64, 32
	up := quadrants(w, h)
	encoders := []struct {
		format string
		tol    int
		encode func(t *testing.T, m *image.NRGBA, o int) []byte
	}{
		{"jpeg-le", 24, func(t *testing.T, m *image.NRGBA, o int) []byte {
			return withJPEGExif(encodeJPEG(t, m, 95), o, binary.LittleEndian)
		}},
		{"jpeg-be", 24, func(t *testing.T, m *image.NRGBA, o int) []byte {
			return withJPEGExif(encodeJPEG(t, m, 95), o, binary.BigEndian)
		}},
		{"png", 0, func(t *testing.T, m *image.NRGBA, o int) []byte { return withPNGExif(encodePNG(t, m), o) }},
		{"tiff", 0, func(t *testing.T, m *image.NRGBA, o int) []byte {
			return withTIFFOrientation(t, encodeTIFF(t, m), o)
		}},
		{"webp", 0, func(t *testing.T, m *image.NRGBA, o int) []byte { return webpLossless(t, m, o) }},
	}
	for _, enc := range encoders {
		for o := 1; o <= 8; o++ {
			t.Run(fmt.Sprintf("%s/%d", enc.format, o), func(t *testing.T) {
				data := enc.encode(t, stored(up, o), o)
				im, err := DecodeBytes(data, nil)
				if err != nil {
					t.Fatal(err)
				}
				if im.Orientation != o {
					t.Fatalf("orientation %d, want %d", im.Orientation, o)
				}
				if im.OrigWidth != w || im.OrigHeight != h {
					t.Fatalf("original size %dx%d, want the upright %dx%d", im.OrigWidth, im.OrigHeight, w, h)
				}
				quadrantsMatch(t, im, w, h, enc.tol)
				if enc.tol == 0 {
					if d := maxDiff(t, im, up); d != 0 {
						t.Fatalf("lossless format differs by %d", d)
					}
				}
				// NoAutoOrient keeps the stored layout.
				raw, err := DecodeBytes(data, &Options{NoAutoOrient: true})
				if err != nil {
					t.Fatal(err)
				}
				if raw.Orientation != o {
					t.Errorf("NoAutoOrient: orientation %d, want %d recorded", raw.Orientation, o)
				}
				s := stored(up, o)
				if enc.tol == 0 {
					if d := maxDiff(t, raw, s); d != 0 {
						t.Errorf("NoAutoOrient changed the pixels (difference %d)", d)
					}
				}
			})
		}
	}
}

// TestOrientationsMatchImaging cross-checks the JPEG path against
// imaging's own AutoOrientation on a larger, detailed image, where every
// pixel position matters, not only the quadrant colours.
func TestOrientationsMatchImaging(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 96, 48))
	for y := range 48 {
		for x := range 96 {
			i := src.PixOffset(x, y)
			src.Pix[i], src.Pix[i+1], src.Pix[i+2], src.Pix[i+3] = uint8(x*2), uint8(y*5), uint8((x*y)%251), 255
		}
	}
	jpg := encodeJPEG(t, src, 95)
	for o := 1; o <= 8; o++ {
		data := withJPEGExif(jpg, o, binary.BigEndian)
		ref, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
		if err != nil {
			t.Fatal(err)
		}
		im, err := DecodeBytes(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		// imaging goes through Go's YCbCr conversion, ours is our own
		// integer version of the same formula.
		if d := maxDiff(t, im, ref); d > 1 {
			t.Errorf("orientation %d: differs from imaging by %d", o, d)
		}
	}
}

// TestExiftoolReadsOrientation checks that the EXIF blocks the tests write
// are real ones, as an independent reader sees them.
func TestExiftoolReadsOrientation(t *testing.T) {
	exiftool, err := exec.LookPath("exiftool")
	if err != nil {
		t.Skip("exiftool not installed; the EXIF blocks written by the tests are not cross-checked")
	}
	dir := t.TempDir()
	q := quadrants(32, 32)
	files := map[string][]byte{
		"le.jpg": withJPEGExif(encodeJPEG(t, q, 90), 6, binary.LittleEndian),
		"be.jpg": withJPEGExif(encodeJPEG(t, q, 90), 6, binary.BigEndian),
		"x.png":  withPNGExif(encodePNG(t, q), 6),
		"x.tiff": withTIFFOrientation(t, encodeTIFF(t, q), 6),
		"x.webp": webpLossless(t, q, 6),
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(exiftool, "-n", "-s3", "-Orientation", path).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: exiftool: %v\n%s", name, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != "6" {
			t.Errorf("%s: exiftool reads orientation %q, want 6", name, got)
		}
	}
}

func TestOrientationParsing(t *testing.T) {
	q := quadrants(16, 16)
	jpg := encodeJPEG(t, q, 90)
	tests := []struct {
		name string
		data []byte
		want int
	}{
		{"no exif", jpg, 1},
		{"tag 3", withJPEGExif(jpg, 3, binary.BigEndian), 3},
		{"out of range value", withJPEGExif(jpg, 9, binary.LittleEndian), 1},
		{"zero value", withJPEGExif(jpg, 0, binary.LittleEndian), 1},
		{"xmp app1 before exif", func() []byte {
			xmp := []byte("http://ns.adobe.com/xap/1.0/\x00<x/>")
			seg := append([]byte{0xff, 0xe1}, binary.BigEndian.AppendUint16(nil, uint16(len(xmp)+2))...)
			seg = append(seg, xmp...)
			j := withJPEGExif(jpg, 8, binary.BigEndian)
			return append(append(append([]byte{}, j[:2]...), seg...), j[2:]...)
		}(), 8},
		{"broken ifd offset", func() []byte {
			j := withJPEGExif(jpg, 6, binary.LittleEndian)
			j[2+4+6+4] = 0xff // IFD0 offset far outside the segment
			return j
		}(), 1},
		{"png without exif", encodePNG(t, q), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			im, err := DecodeBytes(tt.data, nil)
			if err != nil {
				t.Fatal(err)
			}
			if im.Orientation != tt.want {
				t.Errorf("orientation %d, want %d", im.Orientation, tt.want)
			}
		})
	}
}
