package llama

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime"
)

// MaxImageSide bounds each side of an Image handed to the projector; the
// vision package resizes photos long before this.
const MaxImageSide = 16384

// Image is packed 8-bit RGB, row-major, 3 bytes per pixel, as produced by
// the vision package.
type Image struct {
	RGB           []byte
	Width, Height int
	// ID identifies the content (a hash) for the embedding cache; empty
	// means computed from the pixels when a cache is in use.
	ID string
}

func (img *Image) validate(op string) error {
	if img.Width <= 0 || img.Height <= 0 || img.Width > MaxImageSide || img.Height > MaxImageSide {
		return opErr(op, ErrInvalidArgument, "image size %dx%d outside 1..%d per side", img.Width, img.Height, MaxImageSide)
	}
	if long, short := max(img.Width, img.Height), min(img.Width, img.Height); long > MaxAspect*short {
		return opErr(op, ErrInvalidArgument, "image %dx%d is more than %d times as long as it is wide: the projector's resize would make it 0 pixels thin (crop it into parts)", img.Width, img.Height, MaxAspect)
	}
	if len(img.RGB) != img.Width*img.Height*3 {
		return opErr(op, ErrInvalidArgument, "image %dx%d needs %d RGB bytes, got %d", img.Width, img.Height, img.Width*img.Height*3, len(img.RGB))
	}
	return nil
}

// MaxAspect bounds an image's aspect ratio: clip.cpp's resize of an image
// thinner than its input size allows reads out of bounds and crashes the
// process (a 1024x1 image did so with the toy model's 96 px encoder);
// 64:1 keeps the short side above 1 px for encoders of 96 px (the toy
// model's, the smallest capgen meets) and up. caption refuses images past
// 50:1 before they get here, with a message for the user.
const MaxAspect = 64

// contentID returns img.ID or a hash of its size and pixels.
func (img *Image) contentID() string {
	if img.ID != "" {
		return img.ID
	}
	h := sha256.New()
	var dims [8]byte
	dims[0], dims[1], dims[2], dims[3] = byte(img.Width>>24), byte(img.Width>>16), byte(img.Width>>8), byte(img.Width)
	dims[4], dims[5], dims[6], dims[7] = byte(img.Height>>24), byte(img.Height>>16), byte(img.Height>>8), byte(img.Height)
	h.Write(dims[:])
	h.Write(img.RGB)
	return hex.EncodeToString(h.Sum(nil))
}

// DefaultThreads is the thread count used when options leave it at 0: the
// number of CPUs Go may use (GOMAXPROCS, which follows a container's CPU
// limit) but no more than the CPUs the process may run on, and at most 16
// (decode is bound by memory bandwidth). More threads than cores make
// ggml's threads wait for each other at every step: with GOMAXPROCS=3 on
// two cores a batch measured here crawled hundreds of times slower.
func DefaultThreads() int {
	return max(1, min(runtime.GOMAXPROCS(0), runtime.NumCPU(), 16))
}

// MaxThreads is the most threads a Context or Projector runs: the
// machine's cores. More only make ggml's threads wait for one another
// (10000 once ran for minutes in 165 GB of address space), so larger
// settings are lowered to it.
func MaxThreads() int { return max(1, runtime.NumCPU()) }

// Source of the linked llama.cpp, as pinned in go.mod (third_party/README.md).
const (
	LlamaCppCommit = "ec98e2002"
	SourceModule   = "github.com/ollama/ollama@v0.17.4"
)
