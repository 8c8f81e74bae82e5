package caption

import "fmt"

// Limits of a request, checked before any work: far above what a caption
// needs, and below what would let one request hold an engine for hours or
// take its memory. A request over a limit fails with a BadRequestError
// naming the field and the limit. (Languages need no limit of their own:
// a request names each at most once, out of the 128 capgen knows.)
const (
	// MaxGenerationTokens bounds Generation.MaxTokens.
	MaxGenerationTokens = 1 << 16
	// MaxInstructionBytes bounds Instruction, each of Instructions, and
	// Question.
	MaxInstructionBytes = 16 << 10
	// MaxBoxes bounds RegionsRequest.Boxes: each box is a crop of its own
	// to encode.
	MaxBoxes = 256
	// MaxAspect bounds how many times longer than wide an image (or a crop
	// or tile of one) may be; the projectors' resize crashes on images far
	// thinner (llama.MaxAspect is the hard limit, above this one so that
	// resizing's rounding never crosses it).
	MaxAspect = 50
)

func checkGeneration(g Generation) error {
	if g.MaxTokens < 0 || g.MaxTokens > MaxGenerationTokens {
		return &BadRequestError{Field: "max tokens", Msg: fmt.Sprintf("%d outside 0..%d", g.MaxTokens, MaxGenerationTokens)}
	}
	if len(g.Stop) > 8 {
		return &BadRequestError{Field: "stop", Msg: fmt.Sprintf("%d stop strings; the limit is 8", len(g.Stop))}
	}
	for _, s := range g.Stop {
		if s == "" || len(s) > 256 {
			return &BadRequestError{Field: "stop", Msg: fmt.Sprintf("stop string of %d bytes; use 1 to 256", len(s))}
		}
	}
	return nil
}

func checkText(field, s string) error {
	if len(s) > MaxInstructionBytes {
		return &BadRequestError{Field: field, Msg: fmt.Sprintf("%d bytes; the limit is %d", len(s), MaxInstructionBytes)}
	}
	return nil
}
