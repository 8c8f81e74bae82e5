// End-to-end tests on the committed toy model (testdata/toy): it really
// reads its drawn scenes, so these tests see a wrong language, a lost EXIF
// orientation, a crop from the wrong place or swapped colour channels.

package toy_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/toy/scene"
	"github.com/capgen/capgen/vision"
)

// modelDir is the committed toy model.
var modelDir = filepath.Join("..", "testdata", "toy")

// openModel loads the committed toy model. A missing model is a failure,
// not a skip: these tests are what later features must keep green.
func openModel(t *testing.T) *toy.Captioner {
	t.Helper()
	c, err := toy.Open(context.Background(), modelDir, nil)
	if errors.Is(err, toy.ErrNoModel) {
		t.Fatalf("the toy model is missing from testdata/toy: %v", err)
	}
	if err != nil {
		t.Fatalf("load the toy model: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func captionOf(t *testing.T, c *toy.Captioner, img *vision.Image, lang string, mode caption.Mode) string {
	t.Helper()
	got, _, err := c.Caption(context.Background(), img, lang, mode)
	if err != nil {
		t.Fatalf("%s %s: %v", lang, mode, err)
	}
	return got
}

// testScene has objects in three of four cells, red and blue among them,
// and no symmetry: rotating, mirroring or swapping red and blue each
// changes its caption.
func testScene() scene.Scene {
	return scene.Scene{Rows: 2, Cols: 2, Cells: []scene.Cell{
		{Filled: true, Shape: scene.Circle, Colour: scene.Red},
		{Filled: true, Shape: scene.Square, Colour: scene.Blue},
		{},
		{Filled: true, Shape: scene.Triangle, Colour: scene.Green},
	}}
}

func render(s scene.Scene, w, h int, seed uint64) *image.NRGBA {
	return scene.Render(s, w, h, scene.NewRand(seed), nil)
}

func encodePNG(t *testing.T, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decode(t *testing.T, b []byte, opt *vision.Options) *vision.Image {
	t.Helper()
	img, err := vision.DecodeBytes(b, opt)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestTemplatesHashMatchesManifest(t *testing.T) {
	m, err := toy.LoadManifest(modelDir)
	if err != nil {
		t.Fatalf("the toy model's manifest is missing: %v", err)
	}
	h, err := toy.TemplatesHash()
	if err != nil {
		t.Fatal(err)
	}
	if m.TemplatesHash != h {
		t.Fatalf("the brief or region prompts of the toy languages (or toy.RegionWords) changed since the toy model was trained:\n"+
			"manifest %s\nnow      %s\nretrain it with `make toy-model` (and `make toy-eval`)", m.TemplatesHash, h)
	}
}

func TestModelFilesSmall(t *testing.T) {
	var total int64
	m, mm := toy.FileNames()
	for _, name := range []string{m, mm} {
		fi, err := os.Stat(filepath.Join(modelDir, name))
		if err != nil {
			t.Fatalf("the toy model is missing: %v", err)
		}
		total += fi.Size()
	}
	if total > 10<<20 {
		t.Errorf("toy model files take %d bytes, more than the 10 MB allowed in testdata", total)
	}
}

// Every toy language gets the canonical caption of a fixed scene: the
// right words in the right language, the right objects in the right places.
func TestCaptionEveryLanguage(t *testing.T) {
	c := openModel(t)
	s := testScene()
	img := decode(t, encodePNG(t, render(s, 480, 360, 7)), nil)
	seen := map[string]string{}
	for _, lang := range toy.Languages() {
		want, err := scene.Caption(s, lang)
		if err != nil {
			t.Fatal(err)
		}
		got := captionOf(t, c, img, lang, caption.ModeBrief)
		if got != want {
			t.Errorf("%s: got %q, want %q", lang, got, want)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("%s and %s got the same caption %q", lang, other, got)
		}
		seen[got] = lang
	}
}

// exifJPEG encodes m as JPEG with an APP1 Exif segment holding only the
// orientation tag.
func exifJPEG(t *testing.T, m image.Image, orientation uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	j := buf.Bytes()
	tiff := []byte("II*\x00")
	tiff = binary.LittleEndian.AppendUint32(tiff, 8)
	tiff = binary.LittleEndian.AppendUint16(tiff, 1)
	tiff = binary.LittleEndian.AppendUint16(tiff, 0x0112)
	tiff = binary.LittleEndian.AppendUint16(tiff, 3)
	tiff = binary.LittleEndian.AppendUint32(tiff, 1)
	tiff = binary.LittleEndian.AppendUint16(tiff, orientation)
	tiff = binary.LittleEndian.AppendUint16(tiff, 0)
	tiff = binary.LittleEndian.AppendUint32(tiff, 0)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := binary.BigEndian.AppendUint16([]byte{0xff, 0xe1}, uint16(len(payload)+2))
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, j[2:]...)
}

// rotateCCW turns m a quarter turn counter-clockwise: what a camera held
// upright stores when it tags the file with orientation 6 (rotate 90° CW
// to display).
func rotateCCW(m *image.NRGBA) *image.NRGBA {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewNRGBA(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.SetNRGBA(y, w-1-x, m.NRGBAAt(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}

// A JPEG stored on its side with an EXIF orientation tag gets the same
// caption (the same places) as the upright PNG; ignoring the tag would not.
func TestEXIFOrientation(t *testing.T) {
	c := openModel(t)
	s := testScene()
	upright := render(s, 480, 360, 11)
	png := decode(t, encodePNG(t, upright), nil)
	jpg := exifJPEG(t, rotateCCW(upright), 6)
	oriented := decode(t, jpg, nil)
	if oriented.Orientation != 6 || oriented.Bounds().Dx() != 480 || oriented.Bounds().Dy() != 360 {
		t.Fatalf("vision did not apply orientation 6: orientation %d, size %v", oriented.Orientation, oriented.Bounds())
	}
	sideways := decode(t, jpg, &vision.Options{NoAutoOrient: true})
	for _, lang := range []string{"en", "de", "ja"} {
		want, err := scene.Caption(s, lang)
		if err != nil {
			t.Fatal(err)
		}
		fromPNG := captionOf(t, c, png, lang, caption.ModeBrief)
		fromJPEG := captionOf(t, c, oriented, lang, caption.ModeBrief)
		if fromPNG != want || fromJPEG != fromPNG {
			t.Errorf("%s: upright PNG %q, EXIF-rotated JPEG %q, want both %q", lang, fromPNG, fromJPEG, want)
		}
		if got := captionOf(t, c, sideways, lang, caption.ModeBrief); got == want {
			t.Errorf("%s: the JPEG read without its orientation also gave %q: the test cannot see orientation", lang, got)
		}
	}
}

// A crop around one cell of a scene names that cell's shape and colour.
func TestCellCrop(t *testing.T) {
	c := openModel(t)
	s := scene.Scene{Rows: 2, Cols: 2, Cells: []scene.Cell{
		{Filled: true, Shape: scene.Star, Colour: scene.Yellow}, {Filled: true, Shape: scene.Circle, Colour: scene.Purple},
		{Filled: true, Shape: scene.Triangle, Colour: scene.Orange}, {Filled: true, Shape: scene.Square, Colour: scene.Blue},
	}}
	const w, h = 720, 540
	full := decode(t, encodePNG(t, render(s, w, h, 5)), nil)
	for i, cell := range s.Cells {
		if !cell.Filled {
			continue
		}
		r := scene.CellBox(s, w, h, i/s.Cols, i%s.Cols)
		box := vision.Box{X0: float64(r.Min.X), Y0: float64(r.Min.Y), X1: float64(r.Max.X), Y1: float64(r.Max.Y)}
		crop, _, err := vision.Crop(full, box, 0.05)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"en", "fr", "zh"} {
			want := scene.ObjectCaption(cell.Shape, cell.Colour, lang)
			if got := captionOf(t, c, crop, lang, caption.ModeRegion); got != want {
				t.Errorf("cell %d, %s: got %q, want %q", i, lang, got, want)
			}
		}
	}
}

// Swapping the red and blue channels swaps red and blue in the caption:
// the model sees colours through the channel order llama.cpp expects, so a
// pipeline that handed it BGR would fail TestCaptionEveryLanguage. (The
// swapped picture also has backgrounds of hues the model never saw, so
// only the colours at their places are checked, not the shapes.)
func TestChannelOrder(t *testing.T) {
	c := openModel(t)
	s := testScene()
	m := render(s, 480, 360, 3)
	swapped := image.NewNRGBA(m.Bounds())
	copy(swapped.Pix, m.Pix)
	for i := 0; i < len(swapped.Pix); i += 4 {
		swapped.Pix[i], swapped.Pix[i+2] = swapped.Pix[i+2], swapped.Pix[i]
	}
	for _, lang := range []string{"en", "ru"} {
		want, err := scene.Caption(s, lang)
		if err != nil {
			t.Fatal(err)
		}
		if got := captionOf(t, c, decode(t, encodePNG(t, m), nil), lang, caption.ModeBrief); got != want {
			t.Errorf("%s RGB: got %q, want %q", lang, got, want)
		}
		got := captionOf(t, c, decode(t, encodePNG(t, swapped), nil), lang, caption.ModeBrief)
		items, _ := scene.Parse(got, lang)
		var blueLeft, redRight bool
		for _, it := range items {
			blueLeft = blueLeft || (it.Place == scene.TopLeft && it.Colour == scene.Blue)
			redRight = redRight || (it.Place == scene.TopRight && it.Colour == scene.Red)
		}
		if !blueLeft || !redRight {
			t.Errorf("%s BGR: got %q, want the top-left object blue and the top-right one red", lang, got)
		}
	}
}
