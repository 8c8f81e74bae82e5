package vision

import "math"

// Filter selects the resampling kernel. The zero value is Lanczos.
type Filter int

const (
	// Lanczos (3 lobes) keeps the most detail; the default.
	Lanczos Filter = iota
	// CatmullRom is sharp with less ringing than Lanczos, a little faster.
	CatmullRom
	// Linear is a triangle filter: smooth and about twice as fast as
	// Lanczos.
	Linear
	// Area averages the source pixels under each output pixel: the fastest
	// choice, and alias-free for large reductions.
	Area
)

func (f Filter) String() string {
	switch f {
	case Lanczos:
		return "lanczos"
	case CatmullRom:
		return "catmull-rom"
	case Linear:
		return "linear"
	case Area:
		return "area"
	}
	return "Filter(?)"
}

// Resize scales img to exactly width x height, at most DefaultMaxPixels.
// It keeps img's Region, so boxes in original pixels still apply to the
// result.
func Resize(img *Image, width, height int, f Filter) (*Image, error) {
	if width < 1 || height < 1 {
		return nil, newError("resize", img.Source, ErrInvalid, "target size %dx%d must be at least 1x1", width, height)
	}
	if px := int64(width) * int64(height); px > DefaultMaxPixels {
		// Nothing a model takes is this large; a size this big is a unit
		// mistake that would otherwise end in an out-of-memory crash.
		return nil, newError("resize", img.Source, ErrTooLarge, "target size %dx%d is %.1f megapixels, above the limit of %.1f",
			width, height, float64(px)/1e6, float64(DefaultMaxPixels)/1e6)
	}
	k, ok := f.kernel()
	if !ok {
		return nil, newError("resize", img.Source, ErrInvalid, "unknown filter %d", int(f))
	}
	if width == img.Width() && height == img.Height() {
		return img, nil
	}
	return img.derive(resample(img.rgb, width, height, k), img.Region), nil
}

// ResizeMax scales img down so that its longer side is at most maxSide,
// keeping the aspect ratio. Images already small enough are returned as
// they are: enlarging adds no information for a model.
func ResizeMax(img *Image, maxSide int, f Filter) (*Image, error) {
	if maxSide < 1 {
		return nil, newError("resize", img.Source, ErrInvalid, "maximum side %d must be at least 1", maxSide)
	}
	w, h := FitSide(img.Width(), img.Height(), maxSide)
	return Resize(img, w, h, f)
}

// ResizeTokens scales img to the size FitTokens chooses, so that a model
// that cuts images into patch x patch cells sees at most maxTokens cells.
func ResizeTokens(img *Image, patch, maxTokens int, f Filter) (*Image, error) {
	if patch < 1 || maxTokens < 1 {
		return nil, newError("resize", img.Source, ErrInvalid,
			"patch size %d and token budget %d must be at least 1", patch, maxTokens)
	}
	w, h := FitTokens(img.Width(), img.Height(), patch, maxTokens)
	return Resize(img, w, h, f)
}

// FitSide returns w x h scaled down, keeping the aspect ratio, so that the
// longer side is at most maxSide. Sizes already within it are returned
// unchanged; no side drops below 1.
func FitSide(w, h, maxSide int) (int, int) {
	if w <= maxSide && h <= maxSide || w < 1 || h < 1 || maxSide < 1 {
		return w, h
	}
	s := float64(maxSide) / float64(max(w, h))
	return max(1, int(math.Round(float64(w)*s))), max(1, int(math.Round(float64(h)*s)))
}

// FitTokens returns the size, keeping the aspect ratio as closely as the
// grid allows, whose sides are multiples of patch and which holds at most
// maxTokens patch x patch cells. Patch is the side one token covers: 28 for
// Qwen2-VL and Qwen2.5-VL (14-pixel patches merged 2x2), 32 for Qwen3-VL.
// Like Qwen's smart_resize, sides round to the nearest multiple (which can
// enlarge by up to half a patch) and shrink only to meet the budget.
// It returns 0, 0 when an argument is below 1.
func FitTokens(w, h, patch, maxTokens int) (int, int) {
	if w < 1 || h < 1 || patch < 1 || maxTokens < 1 {
		return 0, 0
	}
	p := float64(patch)
	cw := max(1, int(math.Round(float64(w)/p)))
	ch := max(1, int(math.Round(float64(h)/p)))
	if cw*ch > maxTokens {
		beta := math.Sqrt(float64(w) * float64(h) / (float64(maxTokens) * p * p))
		cw = max(1, int(math.Floor(float64(w)/beta/p)))
		ch = max(1, int(math.Floor(float64(h)/beta/p)))
		// Very long strips hit the one-cell floor on the short side; take
		// the excess off the long side.
		for cw*ch > maxTokens {
			if cw >= ch {
				cw--
			} else {
				ch--
			}
		}
	}
	return cw * patch, ch * patch
}
