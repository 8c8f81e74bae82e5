package toy

// PadColour is the background clip.cpp pads LLaVA images to a square with
// (LLaVA's mean colour).
var PadColour = [3]byte{122, 116, 104}

// Preprocess reproduces clip.cpp's preprocessing of an image for the "mlp"
// projector (clip_image_preprocess, llava-1.5 pad-to-square): the packed
// RGB image of w x h is scaled, keeping its aspect ratio, with clip.cpp's
// bilinear filter to fit size x size, centred, on a PadColour square. The
// result is size x size packed RGB, before normalisation; training feeds
// the model exactly what llama.cpp will feed it.
func Preprocess(rgb []byte, w, h, size int) []byte {
	dst := make([]byte, 3*size*size)
	if w == size && h == size {
		copy(dst, rgb)
		return dst
	}
	scale := min(float32(size)/float32(w), float32(size)/float32(h))
	nw := min(int(ceil32(float32(w)*scale)), size)
	nh := min(int(ceil32(float32(h)*scale)), size)
	resized := resizeBilinear(rgb, w, h, nw, nh)
	for i := 0; i < len(dst); i += 3 {
		dst[i], dst[i+1], dst[i+2] = PadColour[0], PadColour[1], PadColour[2]
	}
	ox, oy := (size-nw)/2, (size-nh)/2
	for y := 0; y < nh; y++ {
		copy(dst[3*((y+oy)*size+ox):], resized[3*y*nw:3*(y+1)*nw])
	}
	return dst
}

func ceil32(f float32) float32 {
	i := float32(int(f))
	if i < f {
		return i + 1
	}
	return i
}

// resizeBilinear is img_tool::resize_bilinear of clip.cpp, in float32 as
// there, truncating to bytes.
func resizeBilinear(src []byte, sw, sh, tw, th int) []byte {
	dst := make([]byte, 3*tw*th)
	xRatio := float32(sw-1) / float32(tw)
	yRatio := float32(sh-1) / float32(th)
	lerp := func(a, b, t float32) float32 { return a + (b-a)*t }
	for y := 0; y < th; y++ {
		for x := 0; x < tw; x++ {
			px := xRatio * float32(x)
			py := yRatio * float32(y)
			xf, yf := int(px), int(py)
			xl, yl := px-float32(xf), py-float32(yf)
			for c := 0; c < 3; c++ {
				top := lerp(float32(src[3*(yf*sw+xf)+c]), float32(src[3*(yf*sw+xf+1)+c]), xl)
				bottom := lerp(float32(src[3*((yf+1)*sw+xf)+c]), float32(src[3*((yf+1)*sw+xf+1)+c]), xl)
				dst[3*(y*tw+x)+c] = byte(lerp(top, bottom, yl))
			}
		}
	}
	return dst
}
