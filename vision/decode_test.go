package vision

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
)

func TestDecodeFormats(t *testing.T) {
	const w, h = 64, 32
	q := quadrants(w, h)
	read := func(name string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	gray := image.NewGray(q.Bounds())
	gray16 := image.NewGray16(q.Bounds())
	rgba64 := image.NewRGBA64(q.Bounds())
	pal := image.NewPaletted(q.Bounds(), color.Palette{quadColors[0], quadColors[1], quadColors[2], quadColors[3]})
	for y := range h {
		for x := range w {
			c := q.NRGBAAt(x, y)
			gray.Set(x, y, c)
			gray16.Set(x, y, c)
			rgba64.Set(x, y, c)
			pal.Set(x, y, c)
		}
	}
	tests := []struct {
		name   string
		format string
		data   func(t *testing.T) []byte
		want   image.Image
		tol    int
	}{
		{"jpeg baseline", "jpeg", func(t *testing.T) []byte { return encodeJPEG(t, q, 95) }, q, 0},
		{"jpeg progressive", "jpeg", read("progressive.jpg"), q, 0},
		{"jpeg gray", "jpeg", func(t *testing.T) []byte { return encodeJPEG(t, gray, 95) }, gray, 3},
		{"png 8-bit rgba", "png", func(t *testing.T) []byte { return encodePNG(t, q) }, q, 0},
		{"png 16-bit rgb", "png", func(t *testing.T) []byte { return encodePNG(t, rgba64) }, q, 0},
		{"png 16-bit gray", "png", func(t *testing.T) []byte { return encodePNG(t, gray16) }, gray, 0},
		{"png 8-bit gray", "png", func(t *testing.T) []byte { return encodePNG(t, gray) }, gray, 0},
		{"png palette", "png", func(t *testing.T) []byte { return encodePNG(t, pal) }, q, 0},
		{"gif", "gif", func(t *testing.T) []byte {
			var buf bytes.Buffer
			if err := gif.Encode(&buf, pal, nil); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}, q, 0},
		{"bmp", "bmp", func(t *testing.T) []byte {
			var buf bytes.Buffer
			if err := bmp.Encode(&buf, q); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}, q, 0},
		{"tiff", "tiff", func(t *testing.T) []byte { return encodeTIFF(t, q) }, q, 0},
		{"webp lossless", "webp", func(t *testing.T) []byte { return webpLossless(t, q, 0) }, q, 0},
		{"webp lossy", "webp", read("lossy.webp"), q, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			im, err := DecodeBytes(data, &Options{Name: "test." + tt.format})
			if err != nil {
				t.Fatal(err)
			}
			if im.Format != tt.format {
				t.Errorf("format %q, want %q", im.Format, tt.format)
			}
			if im.Orientation != 1 || im.OrigWidth != w || im.OrigHeight != h {
				t.Errorf("orientation %d, orig %dx%d", im.Orientation, im.OrigWidth, im.OrigHeight)
			}
			if im.Region != (Box{0, 0, w, h}) {
				t.Errorf("region %v", im.Region)
			}
			if tt.tol > 0 {
				if d := maxDiff(t, im, tt.want); d > tt.tol {
					t.Errorf("max channel difference %d, want <= %d", d, tt.tol)
				}
			}
			if tt.want == image.Image(q) {
				tol := 0
				if tt.format == "jpeg" || tt.name == "webp lossy" {
					tol = 24 // lossy codecs: only the quadrant centres are checked
				}
				quadrantsMatch(t, im, w, h, tol)
			}
			// The same bytes through Decode and Load give the same pixels.
			im2, err := Decode(bytes.NewReader(data), nil)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "image.bin") // extension deliberately wrong
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			im3, err := Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if im2.RGB().Hash() != im.RGB().Hash() || im3.RGB().Hash() != im.RGB().Hash() {
				t.Error("Decode, DecodeBytes and Load disagree")
			}
			if im3.Source != path {
				t.Errorf("source %q, want %q", im3.Source, path)
			}
		})
	}
}

func TestDecodePNGGrayAlpha(t *testing.T) {
	// Gray 200 at alpha 0, 128 and 255, in 8 and 16 bits; Go's encoder
	// never writes this colour type.
	rows8 := [][]byte{{200, 0, 200, 128, 200, 255}}
	rows16 := [][]byte{{200, 200, 0, 0, 200, 200, 128, 128, 200, 200, 255, 255}}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"8-bit", rawPNG(3, 1, 4, 8, rows8)},
		{"16-bit", rawPNG(3, 1, 4, 16, rows16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := DecodeBytes(tc.data, &Options{Background: color.Black})
			if err != nil {
				t.Fatal(err)
			}
			want := []uint8{0, 100, 200}
			for x, v := range want {
				if got := im.RGBAAt(x, 0); absDiff(got.R, v) > 1 || got.R != got.G || got.G != got.B {
					t.Errorf("pixel %d = %v, want gray %d", x, got, v)
				}
			}
		})
	}
}

func TestDecodeWebPLossyAlpha(t *testing.T) {
	data, err := os.ReadFile("testdata/lossy_alpha.webp")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		bg   color.Color
		want [3]color.RGBA // at x = 16, 40, 56
	}{
		{nil, [3]color.RGBA{{255, 0, 0, 255}, {127, 127, 255, 255}, {255, 255, 255, 255}}},
		{color.Black, [3]color.RGBA{{255, 0, 0, 255}, {0, 0, 128, 255}, {0, 0, 0, 255}}},
	} {
		im, err := DecodeBytes(data, &Options{Background: tc.bg})
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range []int{16, 40, 56} {
			got, want := im.RGBAAt(x, 16), tc.want[i]
			if absDiff(got.R, want.R) > 12 || absDiff(got.G, want.G) > 12 || absDiff(got.B, want.B) > 12 {
				t.Errorf("background %v, x=%d: got %v, want %v", tc.bg, x, got, want)
			}
		}
	}
}

func TestDecodeGIFFirstFrameOnCanvas(t *testing.T) {
	// A frame smaller than the logical screen: the rest is background.
	pal := color.Palette{color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}}
	f1 := image.NewPaletted(image.Rect(2, 1, 4, 3), pal)
	f2 := image.NewPaletted(image.Rect(0, 0, 6, 4), pal)
	for i := range f2.Pix {
		f2.Pix[i] = 1
	}
	var buf bytes.Buffer
	err := gif.EncodeAll(&buf, &gif.GIF{
		Image:  []*image.Paletted{f1, f2},
		Delay:  []int{0, 0},
		Config: image.Config{ColorModel: pal, Width: 6, Height: 4},
	})
	if err != nil {
		t.Fatal(err)
	}
	im, err := DecodeBytes(buf.Bytes(), &Options{Background: color.RGBA{0, 255, 0, 255}})
	if err != nil {
		t.Fatal(err)
	}
	if im.Width() != 6 || im.Height() != 4 {
		t.Fatalf("size %dx%d, want the 6x4 screen", im.Width(), im.Height())
	}
	if got := im.RGBAAt(2, 1); got != (color.RGBA{255, 0, 0, 255}) {
		t.Errorf("inside the first frame: %v, want red", got)
	}
	if got := im.RGBAAt(0, 0); got != (color.RGBA{0, 255, 0, 255}) {
		t.Errorf("outside the first frame: %v, want the green background", got)
	}
}

func TestDecodeCMYK(t *testing.T) {
	// Ink amounts (C, M, Y, K) and the RGB they print as.
	inks := [][4]uint8{{0, 0, 0, 0}, {255, 0, 0, 0}, {0, 255, 255, 0}, {0, 0, 0, 255}, {100, 50, 200, 60}}
	want := func(ink [4]uint8) color.RGBA {
		k := 255 - int(ink[3])
		f := func(c uint8) uint8 { return uint8(((255-int(c))*k + 127) / 255) }
		return color.RGBA{f(ink[0]), f(ink[1]), f(ink[2]), 255}
	}
	t.Run("adobe inverted cmyk", func(t *testing.T) {
		// Adobe transform 0: every channel stored as 255 - ink.
		var blocks [][4]uint8
		for _, ink := range inks {
			blocks = append(blocks, [4]uint8{255 - ink[0], 255 - ink[1], 255 - ink[2], 255 - ink[3]})
		}
		checkCMYK(t, flatJPEG4(blocks, 0), inks, want, 1)
	})
	t.Run("ycck", func(t *testing.T) {
		// Adobe transform 2: the inks as if they were R, G, B, converted
		// to YCbCr, and K stored inverted.
		var blocks [][4]uint8
		for _, ink := range inks {
			y, cb, cr := color.RGBToYCbCr(ink[0], ink[1], ink[2])
			blocks = append(blocks, [4]uint8{y, cb, cr, 255 - ink[3]})
		}
		checkCMYK(t, flatJPEG4(blocks, 2), inks, want, 3)
	})
	t.Run("no adobe marker", func(t *testing.T) {
		_, err := DecodeBytes(flatJPEG4([][4]uint8{{1, 2, 3, 4}}, -1), nil)
		if !errors.Is(err, ErrUnsupported) {
			t.Fatalf("err = %v, want ErrUnsupported", err)
		}
	})
}

func checkCMYK(t *testing.T, data []byte, inks [][4]uint8, want func([4]uint8) color.RGBA, tol uint8) {
	t.Helper()
	im, err := DecodeBytes(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, ink := range inks {
		got, w := im.RGBAAt(8*i+4, 4), want(ink)
		if absDiff(got.R, w.R) > tol || absDiff(got.G, w.G) > tol || absDiff(got.B, w.B) > tol {
			t.Errorf("ink %v: got %v, want %v", ink, got, w)
		}
	}
}

func absDiff(a, b uint8) uint8 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestGuards(t *testing.T) {
	big := encodePNG(t, image.NewGray(image.Rect(0, 0, 2000, 1500)))
	t.Run("max pixels", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "photo.png")
		if err := os.WriteFile(path, big, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path, &Options{MaxPixels: 1_000_000})
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("err = %v, want ErrTooLarge", err)
		}
		var e *Error
		if !errors.As(err, &e) || e.Op != "load" || e.Path != path {
			t.Fatalf("err = %#v, want *Error for load of %s", err, path)
		}
		want := "vision: load " + path + ": 3.0 megapixels (2000x1500), above the limit of 1.0 (raise --max-pixels)"
		if err.Error() != want {
			t.Errorf("message\n%s\nwant\n%s", err, want)
		}
		if _, err := Load(path, &Options{MaxPixels: -1}); err != nil {
			t.Errorf("negative MaxPixels should disable the check: %v", err)
		}
	})
	t.Run("pixel guard before decoding", func(t *testing.T) {
		// A PNG header claiming 100000x100000 pixels followed by nothing:
		// the guard must fire before the decoder tries to allocate.
		ihdr := binary.BigEndian.AppendUint32(nil, 100000)
		ihdr = binary.BigEndian.AppendUint32(ihdr, 100000)
		ihdr = append(ihdr, 8, 2, 0, 0, 0)
		data := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
		_, err := DecodeBytes(data, &Options{Name: "huge.png"})
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "huge.png: 10000.0 megapixels") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("file size", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "photo.png")
		if err := os.WriteFile(path, big, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, f := range []func() error{
			func() error { _, err := Load(path, &Options{MaxFileBytes: 100}); return err },
			func() error { _, err := Probe(path, &Options{MaxFileBytes: 100}); return err },
			func() error { _, err := Decode(bytes.NewReader(big), &Options{MaxFileBytes: 100}); return err },
			func() error { _, err := DecodeBytes(big, &Options{MaxFileBytes: 100}); return err },
		} {
			err := f()
			if !errors.Is(err, ErrFileTooLarge) || !strings.Contains(err.Error(), "--max-file-size") {
				t.Errorf("err = %v, want ErrFileTooLarge", err)
			}
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		_, err := DecodeBytes([]byte("hello, this is text"), &Options{Name: "notes.txt"})
		if !errors.Is(err, ErrUnknownFormat) || err.Error() != "vision: decode notes.txt: unknown image format (supported: jpeg, png, gif, bmp, tiff, webp)" {
			t.Fatalf("err = %v", err)
		}
		_, err = DecodeBytes(nil, nil)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("empty input: err = %v, want ErrCorrupt", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "nope.jpg"), nil)
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("err = %v, want os.ErrNotExist", err)
		}
		_, err = Load(t.TempDir(), nil)
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("directory: err = %v, want ErrInvalid", err)
		}
	})
}

// TestTruncated cuts files of every format at every length: each must
// give an error (or, for a few formats that stop early, an image) and
// never a panic.
func TestTruncated(t *testing.T) {
	q := quadrants(32, 32)
	files := map[string][]byte{
		"jpeg": withJPEGExif(encodeJPEG(t, q, 90), 6, binary.BigEndian),
		"png":  withPNGExif(encodePNG(t, q), 3),
		"tiff": withTIFFOrientation(t, encodeTIFF(t, q), 8),
		"webp": webpLossless(t, q, 5),
		"cmyk": flatJPEG4([][4]uint8{{1, 2, 3, 4}, {200, 100, 50, 25}}, 0),
	}
	for name, data := range files {
		for n := range len(data) {
			_, err := DecodeBytes(data[:n], nil)
			if err == nil {
				continue
			}
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnknownFormat) && !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s cut at %d: err = %v, want a corrupt-input error", name, n, err)
			}
		}
	}
	_, err := DecodeBytes(files["jpeg"][:len(files["jpeg"])/2], nil)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("half a jpeg: err = %v", err)
	}
}

func TestProbe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.jpg")
	if err := os.WriteFile(path, withJPEGExif(encodeJPEG(t, quadrants(64, 32), 90), 6, binary.LittleEndian), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := Probe(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info != (Info{Format: "jpeg", Width: 32, Height: 64, Orientation: 6}) {
		t.Errorf("info %+v", info)
	}
	info, err = Probe(path, &Options{NoAutoOrient: true})
	if err != nil || info.Width != 64 {
		t.Errorf("NoAutoOrient: info %+v, err %v", info, err)
	}
}

func TestFromImage(t *testing.T) {
	m := image.NewNRGBA(image.Rect(10, 10, 12, 11))
	m.SetNRGBA(10, 10, color.NRGBA{255, 0, 0, 255})
	m.SetNRGBA(11, 10, color.NRGBA{255, 0, 0, 0})
	im := FromImage(m, &Options{Background: color.RGBA{0, 0, 255, 255}})
	if im.Width() != 2 || im.Height() != 1 || im.Region != (Box{0, 0, 2, 1}) {
		t.Fatalf("size %dx%d region %v", im.Width(), im.Height(), im.Region)
	}
	if got := im.RGB().Pix; !bytes.Equal(got, []byte{255, 0, 0, 0, 0, 255}) {
		t.Errorf("pixels %v", got)
	}
	// *Image is an image.Image: it round-trips through an encoder.
	var buf bytes.Buffer
	if err := png.Encode(&buf, im); err != nil {
		t.Fatal(err)
	}
}

func TestHash(t *testing.T) {
	a := RGB{Pix: []byte{1, 2, 3, 4, 5, 6}, Width: 2, Height: 1}
	b := RGB{Pix: []byte{1, 2, 3, 4, 5, 6}, Width: 1, Height: 2}
	c := RGB{Pix: []byte{1, 2, 3, 4, 5, 7}, Width: 2, Height: 1}
	if a.Hash() == b.Hash() || a.Hash() == c.Hash() {
		t.Error("hash ignores the shape or the pixels")
	}
	if a.Hash() != (&RGB{Pix: []byte{1, 2, 3, 4, 5, 6}, Width: 2, Height: 1}).Hash() {
		t.Error("hash is not deterministic")
	}
}
