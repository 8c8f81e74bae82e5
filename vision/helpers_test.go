package vision

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"sort"
	"testing"

	"github.com/disintegration/imaging"
	"golang.org/x/image/tiff"
)

// Colours of the quadrants of the asymmetric test image. Every channel
// takes only the values 0 and 255, which the hand-written WebP encoder
// below relies on; all eight orientations of the image differ.
var quadColors = [4]color.NRGBA{
	{255, 0, 0, 255},     // top left
	{0, 255, 0, 255},     // top right
	{0, 0, 255, 255},     // bottom left
	{255, 255, 255, 255}, // bottom right
}

// quadrants returns a w x h image with four coloured quadrants; sides that
// are multiples of 32 keep the quadrant edges on JPEG MCU boundaries.
func quadrants(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			q := 0
			if x >= w/2 {
				q++
			}
			if y >= h/2 {
				q += 2
			}
			m.SetNRGBA(x, y, quadColors[q])
		}
	}
	return m
}

// stored returns the pixels a camera stores for an upright picture u when
// it writes orientation o: the inverse of the transform o asks a viewer to
// apply. It uses imaging's transforms so that the test does not check our
// orientation code against itself.
func stored(u image.Image, o int) *image.NRGBA {
	switch o {
	case 2:
		return imaging.FlipH(u)
	case 3:
		return imaging.Rotate180(u)
	case 4:
		return imaging.FlipV(u)
	case 5:
		return imaging.Transpose(u)
	case 6:
		return imaging.Rotate90(u) // viewer turns it 90° clockwise back
	case 7:
		return imaging.Transverse(u)
	case 8:
		return imaging.Rotate270(u)
	}
	return imaging.Clone(u)
}

func encodeJPEG(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeTIFF(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, m, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// byteOrder is what binary.LittleEndian and binary.BigEndian both are.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// exifTIFF builds the TIFF structure of an EXIF block whose IFD0 holds a
// Make string and the Orientation tag, the way cameras write them.
func exifTIFF(o int, bo byteOrder) []byte {
	var b []byte
	if bo == binary.BigEndian {
		b = append(b, "MM\x00*"...)
	} else {
		b = append(b, "II*\x00"...)
	}
	b = bo.AppendUint32(b, 8) // IFD0 follows the header
	b = bo.AppendUint16(b, 2) // two entries
	make_ := "capgen\x00"
	makeOff := uint32(8 + 2 + 2*12 + 4)
	// 0x010F Make, ASCII, stored after the IFD.
	b = bo.AppendUint16(b, 0x010f)
	b = bo.AppendUint16(b, 2)
	b = bo.AppendUint32(b, uint32(len(make_)))
	b = bo.AppendUint32(b, makeOff)
	// 0x0112 Orientation, SHORT, count 1, value left-justified in the field.
	b = bo.AppendUint16(b, 0x0112)
	b = bo.AppendUint16(b, 3)
	b = bo.AppendUint32(b, 1)
	b = bo.AppendUint16(b, uint16(o))
	b = bo.AppendUint16(b, 0)
	b = bo.AppendUint32(b, 0) // no IFD1
	return append(b, make_...)
}

// withJPEGExif inserts an APP1 Exif segment right after SOI.
func withJPEGExif(j []byte, o int, bo byteOrder) []byte {
	payload := append([]byte("Exif\x00\x00"), exifTIFF(o, bo)...)
	seg := []byte{0xff, 0xe1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, j[:2]...)
	out = append(out, seg...)
	return append(out, j[2:]...)
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// withPNGExif inserts an eXIf chunk after IHDR.
func withPNGExif(p []byte, o int) []byte {
	ihdrEnd := 8 + 12 + 13
	out := append([]byte{}, p[:ihdrEnd]...)
	out = append(out, pngChunk("eXIf", exifTIFF(o, binary.BigEndian))...)
	return append(out, p[ihdrEnd:]...)
}

// rawPNG writes a non-interlaced PNG from already packed rows, for the
// colour types Go's encoder never produces (gray with alpha).
func rawPNG(w, h int, colorType, depth byte, rows [][]byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, colorType, 0, 0, 0)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	for _, r := range rows {
		zw.Write([]byte{0}) // filter: none
		zw.Write(r)
	}
	zw.Close()
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// withTIFFOrientation rewrites IFD0 of a TIFF file with an Orientation
// entry added. The new IFD goes at the end of the file, so every offset
// the old entries hold stays valid.
func withTIFFOrientation(t testing.TB, b []byte, o int) []byte {
	t.Helper()
	var bo byteOrder = binary.LittleEndian
	if string(b[:2]) == "MM" {
		bo = binary.BigEndian
	}
	ifd := bo.Uint32(b[4:8])
	n := int(bo.Uint16(b[ifd:]))
	entries := make([][]byte, 0, n+1)
	for i := range n {
		e := b[int(ifd)+2+12*i : int(ifd)+2+12*(i+1)]
		if bo.Uint16(e) == 0x0112 {
			t.Fatal("tiff already has an orientation")
		}
		entries = append(entries, e)
	}
	e := bo.AppendUint16(nil, 0x0112)
	e = bo.AppendUint16(e, 3)
	e = bo.AppendUint32(e, 1)
	e = bo.AppendUint16(e, uint16(o))
	e = bo.AppendUint16(e, 0)
	entries = append(entries, e)
	sort.Slice(entries, func(i, j int) bool { return bo.Uint16(entries[i]) < bo.Uint16(entries[j]) })
	out := append([]byte{}, b...)
	if len(out)%2 == 1 {
		out = append(out, 0) // IFDs start on a word boundary
	}
	bo.PutUint32(out[4:8], uint32(len(out)))
	out = bo.AppendUint16(out, uint16(len(entries)))
	for _, e := range entries {
		out = append(out, e...)
	}
	return bo.AppendUint32(out, 0)
}

// bitWriter packs bits least significant first, as VP8L wants.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

func (w *bitWriter) write(v uint32, bits uint) {
	w.acc |= uint64(v) << w.n
	w.n += bits
	for w.n >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.n > 0 {
		return append(w.buf, byte(w.acc))
	}
	return w.buf
}

// vp8l encodes m losslessly with "simple" prefix codes: each of the
// green, red, blue and alpha channels may hold at most two distinct
// values, each coded with one bit (or none when the channel is constant).
// That is enough for the flat test images and small enough to write by
// hand.
func vp8l(t testing.TB, m *image.NRGBA) []byte {
	t.Helper()
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	// Per channel in VP8L order (green, red, blue, alpha): its values.
	order := [4]int{1, 0, 2, 3}
	var syms [4][]uint8
	for c, ch := range order {
		seen := map[uint8]bool{}
		for i := ch; i < len(m.Pix); i += 4 {
			if !seen[m.Pix[i]] {
				seen[m.Pix[i]] = true
				syms[c] = append(syms[c], m.Pix[i])
			}
		}
		if len(syms[c]) > 2 {
			t.Fatalf("vp8l test encoder: channel %d has %d values, at most 2 allowed", ch, len(syms[c]))
		}
	}
	var bw bitWriter
	bw.write(0x2f, 8) // signature
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(1, 1) // alpha hint
	bw.write(0, 3) // version
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	for _, s := range syms {
		bw.write(1, 1) // simple code
		bw.write(uint32(len(s)-1), 1)
		bw.write(1, 1) // 8-bit first symbol
		bw.write(uint32(s[0]), 8)
		if len(s) == 2 {
			bw.write(uint32(s[1]), 8)
		}
	}
	// Distance code: one symbol, never used.
	bw.write(1, 1)
	bw.write(0, 1)
	bw.write(0, 1)
	bw.write(0, 1)
	for i := 0; i < len(m.Pix); i += 4 {
		for c, ch := range order {
			if len(syms[c]) == 2 {
				bit := uint32(0)
				if m.Pix[i+ch] == syms[c][1] {
					bit = 1
				}
				bw.write(bit, 1)
			}
		}
	}
	return bw.bytes()
}

func riffChunk(fourcc string, data []byte) []byte {
	c := append([]byte(fourcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

func riff(chunks ...[]byte) []byte {
	var body []byte
	body = append(body, "WEBP"...)
	for _, c := range chunks {
		body = append(body, c...)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	return append(out, body...)
}

// webpLossless wraps vp8l data in a simple WebP file, or in the extended
// (VP8X) layout with an EXIF chunk when o > 0.
func webpLossless(t testing.TB, m *image.NRGBA, o int) []byte {
	t.Helper()
	data := riffChunk("VP8L", vp8l(t, m))
	if o == 0 {
		return riff(data)
	}
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	x := []byte{0x08 | 0x10, 0, 0, 0} // EXIF and alpha flags
	x = append(x, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	x = append(x, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	return riff(riffChunk("VP8X", x), data, riffChunk("EXIF", exifTIFF(o, binary.LittleEndian)))
}

// jpegBits packs bits most significant first with 0xFF byte stuffing.
type jpegBits struct {
	buf []byte
	acc uint32
	n   uint
}

func (j *jpegBits) write(v uint32, bits uint) {
	for i := int(bits) - 1; i >= 0; i-- {
		j.acc = j.acc<<1 | (v>>uint(i))&1
		j.n++
		if j.n == 8 {
			j.buf = append(j.buf, byte(j.acc))
			if byte(j.acc) == 0xff {
				j.buf = append(j.buf, 0)
			}
			j.acc, j.n = 0, 0
		}
	}
}

func (j *jpegBits) flush() []byte {
	for j.n != 0 {
		j.write(1, 1) // pad with ones
	}
	return j.buf
}

func jpegSegment(marker byte, data []byte) []byte {
	s := []byte{0xff, marker}
	s = binary.BigEndian.AppendUint16(s, uint16(len(data)+2))
	return append(s, data...)
}

// flatJPEG4 writes a baseline four-component JPEG, 8 pixels high with one
// flat 8x8 block per entry of blocks, holding the given stored samples.
// Go's encoder cannot write CMYK, so this writes only DC coefficients
// with an all-ones quantisation table: exact and small enough to write by
// hand. adobe < 0 leaves out the Adobe APP14 segment.
func flatJPEG4(blocks [][4]uint8, adobe int) []byte {
	out := []byte{0xff, 0xd8}
	if adobe >= 0 {
		app := append([]byte("Adobe"), 0, 100, 0, 0, 0, 0, byte(adobe))
		out = append(out, jpegSegment(0xee, app)...)
	}
	dqt := make([]byte, 65)
	for i := 1; i < 65; i++ {
		dqt[i] = 1
	}
	out = append(out, jpegSegment(0xdb, dqt)...)
	w := 8 * len(blocks)
	sof := []byte{8, 0, 8, byte(w >> 8), byte(w), 4}
	for c := byte(1); c <= 4; c++ {
		sof = append(sof, c, 0x11, 0)
	}
	out = append(out, jpegSegment(0xc0, sof)...)
	// DC table: categories 0-11, all 4-bit codes, so category s is coded
	// as s itself. AC table: only end-of-block, coded as a single 0 bit.
	dc := []byte{0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	dc = append(dc, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	ac := []byte{0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00}
	out = append(out, jpegSegment(0xc4, dc)...)
	out = append(out, jpegSegment(0xc4, ac)...)
	sos := []byte{4}
	for c := byte(1); c <= 4; c++ {
		sos = append(sos, c, 0x00)
	}
	sos = append(sos, 0, 63, 0)
	out = append(out, jpegSegment(0xda, sos)...)
	var bits jpegBits
	var pred [4]int
	for _, b := range blocks {
		for c := range 4 {
			// A flat block of value v has DC coefficient 8*(v-128).
			dcv := 8 * (int(b[c]) - 128)
			diff := dcv - pred[c]
			pred[c] = dcv
			s := 0
			for a := diff; a != 0; a /= 2 {
				s++
			}
			bits.write(uint32(s), 4)
			if s > 0 {
				v := diff
				if v < 0 {
					v += 1<<s - 1
				}
				bits.write(uint32(v), uint(s))
			}
			bits.write(0, 1) // end of block
		}
	}
	out = append(out, bits.flush()...)
	return append(out, 0xff, 0xd9)
}

// maxDiff returns the largest channel difference between an Image and a
// reference image of the same size, and fails when sizes differ.
func maxDiff(t testing.TB, got *Image, want image.Image) int {
	t.Helper()
	if got.Bounds().Size() != want.Bounds().Size() {
		t.Fatalf("size %v, want %v", got.Bounds().Size(), want.Bounds().Size())
	}
	worst := 0
	b := want.Bounds()
	for y := range b.Dy() {
		for x := range b.Dx() {
			g := got.RGBAAt(x, y)
			r, gg, bb, _ := want.At(b.Min.X+x, b.Min.Y+y).RGBA()
			for _, d := range [3]int{int(g.R) - int(r>>8), int(g.G) - int(gg>>8), int(g.B) - int(bb>>8)} {
				worst = max(worst, int(math.Abs(float64(d))))
			}
		}
	}
	return worst
}

// quadrantsMatch checks the colour at the centre of each quadrant, which
// is what distinguishes the eight orientations, allowing for lossy codecs.
func quadrantsMatch(t testing.TB, got *Image, w, h, tol int) {
	t.Helper()
	if got.Width() != w || got.Height() != h {
		t.Fatalf("size %dx%d, want %dx%d", got.Width(), got.Height(), w, h)
	}
	for q, c := range quadColors {
		x, y := w/4+(q%2)*w/2, h/4+(q/2)*h/2
		p := got.RGBAAt(x, y)
		for i, d := range [3]int{int(p.R) - int(c.R), int(p.G) - int(c.G), int(p.B) - int(c.B)} {
			if d > tol || d < -tol {
				t.Fatalf("quadrant %d at (%d,%d): got %v, want %v (channel %d off by %d)", q, x, y, p, c, i, d)
			}
		}
	}
}
