package vision

import "math"

// Resampling is separable (one horizontal and one vertical pass) with
// 14-bit fixed-point weights precomputed per output column or row, on
// packed RGB so that no pass touches an alpha channel that is always
// opaque.

const weightBits = 14

type kernel struct {
	support float64
	at      func(float64) float64
	// area marks the Area filter, whose weights are the exact overlap of
	// the output pixel with each source pixel rather than samples of at.
	area bool
}

func (f Filter) kernel() (kernel, bool) {
	switch f {
	case Lanczos:
		return kernel{support: 3, at: func(x float64) float64 {
			if x < 0 {
				x = -x
			}
			if x >= 3 {
				return 0
			}
			return sinc(x) * sinc(x/3)
		}}, true
	case CatmullRom:
		return kernel{support: 2, at: func(x float64) float64 {
			if x < 0 {
				x = -x
			}
			switch {
			case x < 1:
				return (1.5*x-2.5)*x*x + 1
			case x < 2:
				return ((-0.5*x+2.5)*x-4)*x + 2
			}
			return 0
		}}, true
	case Linear:
		return kernel{support: 1, at: func(x float64) float64 {
			if x < 0 {
				x = -x
			}
			return max(0, 1-x)
		}}, true
	case Area:
		return kernel{support: 0.5, area: true}, true
	}
	return kernel{}, false
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	x *= math.Pi
	return math.Sin(x) / x
}

// weights holds, for each output index i, taps count[i] source indices
// starting at start[i], with weights w[i*n : i*n+count[i]].
type weights struct {
	start, count []int
	n            int
	w            []int32
}

func makeWeights(src, dst int, k kernel) weights {
	scale := float64(src) / float64(dst)
	// When reducing, the kernel stretches to cover every source pixel that
	// falls under an output pixel; that is what prevents aliasing.
	fs := max(scale, 1)
	support := k.support * fs
	n := int(math.Ceil(support))*2 + 1
	ws := weights{start: make([]int, dst), count: make([]int, dst), n: n, w: make([]int32, dst*n)}
	tmp := make([]float64, n)
	for i := range dst {
		c := (float64(i) + 0.5) * scale
		lo := max(0, int(math.Floor(c-support+0.5)))
		hi := min(src, int(math.Floor(c+support+0.5)))
		if k.area {
			lo = max(0, int(math.Floor(c-scale/2)))
			hi = min(src, int(math.Ceil(c+scale/2)))
		}
		if hi-lo > n {
			hi = lo + n
		}
		var sum float64
		for j := lo; j < hi; j++ {
			var v float64
			if k.area {
				// The output pixel spans [c-scale/2, c+scale/2) in source
				// coordinates; weigh each source pixel by its share.
				v = max(0, min(float64(j+1), c+scale/2)-max(float64(j), c-scale/2))
			} else {
				v = k.at((float64(j) + 0.5 - c) / fs)
			}
			tmp[j-lo] = v
			sum += v
		}
		if sum == 0 {
			// Rounding left no source pixel with weight: use the nearest.
			lo = min(src-1, max(0, int(c)))
			hi = lo + 1
			tmp[0], sum = 1, 1
		}
		ws.start[i], ws.count[i] = lo, hi-lo
		row := ws.w[i*n : i*n+hi-lo]
		var total, big int32
		for j := range row {
			row[j] = int32(math.Round(tmp[j] / sum * (1 << weightBits)))
			total += row[j]
			if row[j] > row[big] {
				big = int32(j)
			}
		}
		// Make the weights sum to exactly one so flat areas stay flat.
		row[big] += 1<<weightBits - total
	}
	return ws
}

func clampFixed(v int32) uint8 {
	return clamp8((v + 1<<(weightBits-1)) >> weightBits)
}

// resample scales src to w x h with kernel k, doing the two passes in the
// cheaper order.
func resample(src RGB, w, h int, k kernel) RGB {
	sw, sh := src.Width, src.Height
	if sw == w && sh == h {
		return src
	}
	var wx, wy weights
	if sw != w {
		wx = makeWeights(sw, w, k)
	}
	if sh != h {
		wy = makeWeights(sh, h, k)
	}
	switch {
	case sh == h:
		return horizontal(src, w, wx)
	case sw == w:
		return vertical(src, h, wy)
	}
	// Taps per output pixel, by pass order. On a tie the vertical pass goes
	// first: its inner loop streams whole rows and runs faster per tap.
	hFirst := w*sh*wx.n + w*h*wy.n
	vFirst := sw*h*wy.n + w*h*wx.n
	if hFirst < vFirst {
		return vertical(horizontal(src, w, wx), h, wy)
	}
	return horizontal(vertical(src, h, wy), w, wx)
}

func horizontal(src RGB, w int, ws weights) RGB {
	sw, h := src.Width, src.Height
	dst := make([]byte, 3*w*h)
	parallel(h, func(lo, hi int) {
		for y := lo; y < hi; y++ {
			srow := src.Pix[3*sw*y : 3*sw*(y+1)]
			drow := dst[3*w*y : 3*w*(y+1)]
			for x := range w {
				s := srow[3*ws.start[x]:]
				var r, g, b int32
				for j, wt := range ws.w[x*ws.n : x*ws.n+ws.count[x]] {
					p := s[3*j : 3*j+3 : 3*j+3]
					r += wt * int32(p[0])
					g += wt * int32(p[1])
					b += wt * int32(p[2])
				}
				drow[3*x], drow[3*x+1], drow[3*x+2] = clampFixed(r), clampFixed(g), clampFixed(b)
			}
		}
	})
	return RGB{Pix: dst, Width: w, Height: h}
}

func vertical(src RGB, h int, ws weights) RGB {
	w := src.Width
	rowLen := 3 * w
	dst := make([]byte, rowLen*h)
	parallel(h, func(lo, hi int) {
		acc := make([]int32, rowLen)
		for y := lo; y < hi; y++ {
			clear(acc)
			s := ws.start[y]
			for j, wt := range ws.w[y*ws.n : y*ws.n+ws.count[y]] {
				srow := src.Pix[(s+j)*rowLen : (s+j+1)*rowLen]
				for i, v := range srow {
					acc[i] += wt * int32(v)
				}
			}
			drow := dst[y*rowLen : (y+1)*rowLen]
			for i, v := range acc {
				drow[i] = clampFixed(v)
			}
		}
	})
	return RGB{Pix: dst, Width: w, Height: h}
}
