package vision

import (
	"image"
	"image/color"
	"runtime"
	"sync"
)

// rowFunc writes the flattened RGB of source row y (0-based from the top of
// the bounds) into out, which holds exactly 3*width bytes.
type rowFunc func(y int, out []byte)

// toRGB converts m to packed RGB in one pass, applying the EXIF orientation
// while scattering rows into the destination. Doing both at once means the
// only full-size allocation is the result, which is what keeps a 12 MP
// photo near its decoded size in memory.
//
// videoRange marks YCbCr images whose samples use the BT.601 video range
// (luma 16-235), which lossy WebP (VP8) stores but image.YCbCr cannot
// express: read as JPEG's full range, blacks come out grey and reds pink.
func toRGB(m image.Image, orient int, bg [3]uint16, videoRange bool) RGB {
	return toRGBReduced(m, orient, bg, videoRange, 1)
}

// toRGBReduced is toRGB that also shrinks the image by the whole factor
// f, averaging f x f blocks of source pixels (the last row and column of
// blocks may be narrower) as rows are converted: the full-size RGB is
// never made, so memory is the decoder's output plus the small result.
func toRGBReduced(m image.Image, orient int, bg [3]uint16, videoRange bool, f int) RGB {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	if orient < 1 || orient > 8 {
		orient = 1
	}
	row := rowReader(m, bg, videoRange)
	if f > 1 && w > 0 && h > 0 {
		row, w, h = reduceRows(row, w, h, f)
	}
	dw, dh := w, h
	if orient >= 5 {
		dw, dh = h, w
	}
	dst := make([]byte, 3*w*h)
	if w == 0 || h == 0 {
		return RGB{Pix: dst, Width: dw, Height: dh}
	}
	stride := 3 * w
	parallel(h, func(lo, hi int) {
		switch orient {
		case 1:
			for y := lo; y < hi; y++ {
				row(y, dst[y*stride:(y+1)*stride])
			}
		case 4:
			for y := lo; y < hi; y++ {
				d := (h - 1 - y) * stride
				row(y, dst[d:d+stride])
			}
		case 2, 3:
			buf := make([]byte, stride)
			for y := lo; y < hi; y++ {
				row(y, buf)
				dy := y
				if orient == 3 {
					dy = h - 1 - y
				}
				reversePixels(dst[dy*stride:(dy+1)*stride], buf)
			}
		default:
			transposeRows(dst, row, w, h, orient, lo, hi)
		}
	})
	return RGB{Pix: dst, Width: dw, Height: dh}
}

// reduceRows wraps a row reader of a w x h image into one of the
// ceil(w/f) x ceil(h/f) image whose pixels are the rounded means of f x f
// blocks. Each call reads its f source rows into scratch memory from a
// pool, so concurrent bands do not share buffers.
func reduceRows(row rowFunc, w, h, f int) (rowFunc, int, int) {
	rw, rh := (w+f-1)/f, (h+f-1)/f
	type scratch struct {
		src  []byte
		sums []uint32
	}
	pool := sync.Pool{New: func() any { return &scratch{src: make([]byte, 3*w), sums: make([]uint32, 3*rw)} }}
	lastW := w - f*(rw-1) // width of the last column of blocks
	return func(y int, out []byte) {
		sc := pool.Get().(*scratch)
		defer pool.Put(sc)
		clear(sc.sums)
		y0, y1 := y*f, min((y+1)*f, h)
		for sy := y0; sy < y1; sy++ {
			row(sy, sc.src)
			j := 0
			for bx := range rw {
				end := 3 * min((bx+1)*f, w)
				var r, g, b uint32
				for ; j < end; j += 3 {
					r += uint32(sc.src[j])
					g += uint32(sc.src[j+1])
					b += uint32(sc.src[j+2])
				}
				sc.sums[3*bx] += r
				sc.sums[3*bx+1] += g
				sc.sums[3*bx+2] += b
			}
		}
		rows := uint32(y1 - y0)
		for x := range rw {
			n := rows * uint32(f)
			if x == rw-1 {
				n = rows * uint32(lastW)
			}
			for c := range 3 {
				out[3*x+c] = uint8((sc.sums[3*x+c] + n/2) / n)
			}
		}
	}, rw, rh
}

// reduceFactor is the largest whole factor that keeps the longer side of
// a w x h image at least target pixels; 1 when target is 0 or not
// smaller than half the side.
func reduceFactor(w, h, target int) int {
	if target <= 0 {
		return 1
	}
	return max(1, max(w, h)/target)
}

// reversePixels writes src into dst with the pixel order mirrored.
func reversePixels(dst, src []byte) {
	n := len(src)
	for i := 0; i < n; i += 3 {
		j := n - 3 - i
		dst[j], dst[j+1], dst[j+2] = src[i], src[i+1], src[i+2]
	}
}

// transposeRows handles orientations 5-8, where a source row becomes a
// destination column. Rows are converted in batches so that each
// destination row receives a run of batch pixels at a time instead of one
// pixel per cache line.
func transposeRows(dst []byte, row rowFunc, w, h, orient, lo, hi int) {
	const batch = 32
	stride := 3 * w
	dstride := 3 * h
	buf := make([]byte, batch*stride)
	for y := lo; y < hi; y += batch {
		n := min(batch, hi-y)
		for i := 0; i < n; i++ {
			row(y+i, buf[i*stride:(i+1)*stride])
		}
		// Source (x, y) goes to destination column y (5, 8) or h-1-y (6, 7)
		// and row x (5, 6) or w-1-x (7, 8).
		reverse := orient == 6 || orient == 7
		for x := 0; x < w; x++ {
			dy := x
			if orient == 7 || orient == 8 {
				dy = w - 1 - x
			}
			sx := 3 * x
			if reverse {
				d := dy*dstride + 3*(h-y-n)
				for i := n - 1; i >= 0; i-- {
					s := i*stride + sx
					dst[d], dst[d+1], dst[d+2] = buf[s], buf[s+1], buf[s+2]
					d += 3
				}
			} else {
				d := dy*dstride + 3*y
				for i := 0; i < n; i++ {
					s := i*stride + sx
					dst[d], dst[d+1], dst[d+2] = buf[s], buf[s+1], buf[s+2]
					d += 3
				}
			}
		}
	}
}

// parallel splits [0, n) into one contiguous band per CPU. Bands of fewer
// than 64 rows are not worth a goroutine.
func parallel(n int, fn func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), n/64)
	if parts <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range parts {
		lo, hi := i*n/parts, (i+1)*n/parts
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

func rowReader(m image.Image, bg [3]uint16, videoRange bool) rowFunc {
	b := m.Bounds()
	w := b.Dx()
	bg8 := [3]uint32{uint32(bg[0] >> 8), uint32(bg[1] >> 8), uint32(bg[2] >> 8)}
	switch m := m.(type) {
	case *image.YCbCr:
		if f := ycbcrRow(m, videoRange); f != nil {
			return f
		}
	case *image.NYCbCrA:
		if f := ycbcrRow(&m.YCbCr, videoRange); f != nil {
			return withAlpha(f, m.A, m.AStride, b, bg8)
		}
	case *image.Gray:
		return func(y int, out []byte) {
			src := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, v := range src {
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case *image.RGBA:
		return func(y int, out []byte) {
			src := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := range w {
				p := src[4*x : 4*x+4 : 4*x+4]
				if a := uint32(p[3]); a == 0xff {
					out[3*x], out[3*x+1], out[3*x+2] = p[0], p[1], p[2]
				} else {
					inv := 0xff - a
					// min guards against invalid premultiplied input (c > a).
					out[3*x] = uint8(min(0xff, uint32(p[0])+div255(bg8[0]*inv)))
					out[3*x+1] = uint8(min(0xff, uint32(p[1])+div255(bg8[1]*inv)))
					out[3*x+2] = uint8(min(0xff, uint32(p[2])+div255(bg8[2]*inv)))
				}
			}
		}
	case *image.NRGBA:
		return func(y int, out []byte) {
			src := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := range w {
				p := src[4*x : 4*x+4 : 4*x+4]
				a := uint32(p[3])
				out[3*x] = blend8(uint32(p[0]), a, bg8[0])
				out[3*x+1] = blend8(uint32(p[1]), a, bg8[1])
				out[3*x+2] = blend8(uint32(p[2]), a, bg8[2])
			}
		}
	case *image.CMYK:
		return func(y int, out []byte) {
			src := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := range w {
				p := src[4*x : 4*x+4 : 4*x+4]
				k := 0xff - uint32(p[3])
				out[3*x] = uint8(div255((0xff - uint32(p[0])) * k))
				out[3*x+1] = uint8(div255((0xff - uint32(p[1])) * k))
				out[3*x+2] = uint8(div255((0xff - uint32(p[2])) * k))
			}
		}
	case *image.Paletted:
		lut := paletteLUT(m.Palette, bg)
		return func(y int, out []byte) {
			src := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, i := range src {
				c := lut[i]
				out[3*x], out[3*x+1], out[3*x+2] = c[0], c[1], c[2]
			}
		}
	case *image.Gray16:
		return func(y int, out []byte) {
			src := m.Pix[y*m.Stride : y*m.Stride+2*w]
			for x := range w {
				v := to8(uint32(src[2*x])<<8 | uint32(src[2*x+1]))
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case *image.NRGBA64:
		return func(y int, out []byte) {
			src := m.Pix[y*m.Stride : y*m.Stride+8*w]
			for x := range w {
				p := src[8*x : 8*x+8 : 8*x+8]
				a := uint32(p[6])<<8 | uint32(p[7])
				for c := range 3 {
					v := uint32(p[2*c])<<8 | uint32(p[2*c+1])
					out[3*x+c] = to8((v*a + uint32(bg[c])*(0xffff-a) + 0x7fff) / 0xffff)
				}
			}
		}
	}
	return genericRow(m, bg)
}

// genericRow covers the remaining image types (RGBA64, Alpha, odd YCbCr
// layouts, ...) through the allocation-free RGBA64At where available.
func genericRow(m image.Image, bg [3]uint16) rowFunc {
	b := m.Bounds()
	w := b.Dx()
	at := func(x, y int) (r, g, b, a uint32) { return m.At(x, y).RGBA() }
	if m64, ok := m.(image.RGBA64Image); ok {
		at = func(x, y int) (r, g, b, a uint32) {
			c := m64.RGBA64At(x, y)
			return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
		}
	}
	return func(y int, out []byte) {
		for x := range w {
			r, g, bl, a := at(b.Min.X+x, b.Min.Y+y)
			inv := 0xffff - a
			out[3*x] = to8(min(0xffff, r+(uint32(bg[0])*inv+0x7fff)/0xffff))
			out[3*x+1] = to8(min(0xffff, g+(uint32(bg[1])*inv+0x7fff)/0xffff))
			out[3*x+2] = to8(min(0xffff, bl+(uint32(bg[2])*inv+0x7fff)/0xffff))
		}
	}
}

// ycbcrRow converts YCbCr with integer arithmetic. It returns nil for
// layouts it does not index directly (negative origins), which then take
// the generic path.
func ycbcrRow(m *image.YCbCr, videoRange bool) rowFunc {
	b := m.Rect
	if b.Min.X < 0 || b.Min.Y < 0 {
		return nil
	}
	var hs, vs uint
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
	case image.YCbCrSubsampleRatio422:
		hs = 1
	case image.YCbCrSubsampleRatio420:
		hs, vs = 1, 1
	case image.YCbCrSubsampleRatio440:
		vs = 1
	case image.YCbCrSubsampleRatio411:
		hs = 2
	case image.YCbCrSubsampleRatio410:
		hs, vs = 2, 1
	default:
		return nil
	}
	w := b.Dx()
	cx0 := b.Min.X >> hs
	return func(y int, out []byte) {
		yy := b.Min.Y + y
		yrow := m.Y[y*m.YStride : y*m.YStride+w]
		ci := ((yy >> vs) - (b.Min.Y >> vs)) * m.CStride
		if videoRange {
			for x, lum := range yrow {
				c := ci + ((b.Min.X + x) >> hs) - cx0
				out[3*x], out[3*x+1], out[3*x+2] = yccVideo(lum, m.Cb[c], m.Cr[c])
			}
			return
		}
		for x, lum := range yrow {
			c := ci + ((b.Min.X + x) >> hs) - cx0
			out[3*x], out[3*x+1], out[3*x+2] = ycc(lum, m.Cb[c], m.Cr[c])
		}
	}
}

// withAlpha flattens the output of an opaque row converter with a separate
// alpha plane (WebP lossy with alpha).
func withAlpha(f rowFunc, a []byte, astride int, b image.Rectangle, bg8 [3]uint32) rowFunc {
	w := b.Dx()
	return func(y int, out []byte) {
		f(y, out)
		arow := a[y*astride : y*astride+w]
		for x, av := range arow {
			if av == 0xff {
				continue
			}
			al := uint32(av)
			for c := range 3 {
				out[3*x+c] = blend8(uint32(out[3*x+c]), al, bg8[c])
			}
		}
	}
}

// JFIF YCbCr to RGB in 16.16 fixed point; the constants are 1.402,
// 0.344136, 0.714136 and 1.772 scaled by 65536.
func ycc(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := int32(y)<<16 + 1<<15
	cb1 := int32(cb) - 128
	cr1 := int32(cr) - 128
	r := (yy + 91881*cr1) >> 16
	g := (yy - 22554*cb1 - 46802*cr1) >> 16
	b := (yy + 116130*cb1) >> 16
	return clamp8(r), clamp8(g), clamp8(b)
}

// BT.601 video-range YCbCr to RGB in 16.16 fixed point: luma scaled by
// 255/219 from 16, chroma by 255/224 (1.164383, 1.596027, 0.391762,
// 0.812968 and 2.017232 times 65536).
func yccVideo(y, cb, cr uint8) (uint8, uint8, uint8) {
	yy := 76309*(int32(y)-16) + 1<<15
	cb1 := int32(cb) - 128
	cr1 := int32(cr) - 128
	r := (yy + 104597*cr1) >> 16
	g := (yy - 25675*cb1 - 53279*cr1) >> 16
	b := (yy + 132201*cb1) >> 16
	return clamp8(r), clamp8(g), clamp8(b)
}

func clamp8(v int32) uint8 {
	if uint32(v) > 0xff {
		return uint8(^(v >> 31))
	}
	return uint8(v)
}

// div255 divides by 255 with rounding, exact for v <= 255*255.
func div255(v uint32) uint32 {
	v += 0x80
	return (v + v>>8) >> 8
}

// blend8 composites non-premultiplied c with alpha a over bg.
func blend8(c, a, bg uint32) uint8 {
	return uint8(div255(c*a + bg*(0xff-a)))
}

// to8 rounds a 16-bit sample to 8 bits (v/257, rounded).
func to8(v uint32) uint8 {
	return uint8((v*0xff + 0x807f) >> 16)
}

func paletteLUT(p color.Palette, bg [3]uint16) *[256][3]byte {
	// Indices past the palette decode as opaque black, like most viewers.
	var lut [256][3]byte
	for i, c := range p {
		if i >= len(lut) {
			break
		}
		if c == nil {
			continue
		}
		r, g, b, a := c.RGBA()
		inv := 0xffff - a
		lut[i] = [3]byte{
			to8(min(0xffff, r+(uint32(bg[0])*inv+0x7fff)/0xffff)),
			to8(min(0xffff, g+(uint32(bg[1])*inv+0x7fff)/0xffff)),
			to8(min(0xffff, b+(uint32(bg[2])*inv+0x7fff)/0xffff)),
		}
	}
	return &lut
}
