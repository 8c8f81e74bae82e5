package caption

import (
	"github.com/capgen/capgen/vision"
)

// Detail selects how long a description is.
type Detail string

// Detail levels.
const (
	Brief    Detail = "brief"    // one sentence (the default)
	Detailed Detail = "detailed" // a paragraph
)

// ParseDetail accepts "brief", "detailed" and "" (brief).
func ParseDetail(s string) (Detail, error) {
	switch Detail(s) {
	case "", Brief:
		return Brief, nil
	case Detailed:
		return Detailed, nil
	}
	return "", &BadRequestError{Field: "detail", Msg: "unknown detail level " + quote(s) + " (use brief or detailed)"}
}

// Strategy says how a caption in a language is obtained.
type Strategy string

// Strategies.
const (
	// Direct asks the model for each language directly (the default).
	Direct Strategy = "direct"
	// Pivot captions in the pivot language (English by default) and has
	// the same model translate the caption, text only.
	Pivot Strategy = "pivot"
	// Auto asks directly and falls back to Pivot for a language whose
	// output fails the language check even after one stricter retry.
	Auto Strategy = "auto"
)

// ParseStrategy accepts direct, pivot, auto and "" (direct).
func ParseStrategy(s string) (Strategy, error) {
	switch Strategy(s) {
	case "", Direct:
		return Direct, nil
	case Pivot, Auto:
		return Strategy(s), nil
	}
	return "", &BadRequestError{Field: "strategy", Msg: "unknown strategy " + quote(s) + " (use direct, pivot or auto)"}
}

// Generation bounds and shapes the generated text.
type Generation struct {
	// MaxTokens per output; 0 means a default for the mode (brief 96,
	// detailed 384, region 24 + 3 per word, tile 160, merge 512).
	MaxTokens int
	// Sampling; the zero value is greedy.
	Sampling Sampling
}

// Caption is one output text with how it was obtained.
type Caption struct {
	// Language is the requested language.
	Language Language `json:"language"`
	// Text is the cleaned caption (Raw when the request asked for raw).
	Text string `json:"text"`
	// Raw is the model's text before clean-up.
	Raw string `json:"raw,omitempty"`
	// Detected is the language check's verdict on Text.
	Detected Detection `json:"detected"`
	// Retried: the first answer was in the wrong language and a stricter
	// prompt was used. Pivoted: the text is a translation from the pivot
	// language.
	Retried bool `json:"retried,omitempty"`
	Pivoted bool `json:"pivoted,omitempty"`
	// Tokens generated, and why generation stopped.
	Tokens int        `json:"tokens"`
	Stop   StopReason `json:"stop"`
}

// Result is what Describe returns.
type Result struct {
	Mode     Mode      `json:"mode"`
	Detail   Detail    `json:"detail,omitempty"`
	Model    string    `json:"model"`
	Width    int       `json:"width"`  // the upright image's width in pixels
	Height   int       `json:"height"` // and height
	Captions []Caption `json:"captions"`
	Timings  Timings   `json:"timings"`
}

// RegionCaption is the caption of one box.
type RegionCaption struct {
	// Index is the box's position in the request.
	Index int `json:"index"`
	// Box is the requested box in original-image pixels; Crop is the
	// region actually shown to the model (the box plus its context margin,
	// clamped to the image).
	Box      vision.Box `json:"box"`
	Crop     vision.Box `json:"crop"`
	Captions []Caption  `json:"captions"`
}

// RegionsResult is what Regions returns.
type RegionsResult struct {
	Model   string          `json:"model"`
	Width   int             `json:"width"`
	Height  int             `json:"height"`
	Regions []RegionCaption `json:"regions"`
	Timings Timings         `json:"timings"`
}

// TileCaption is the caption of one tile of a dense description.
type TileCaption struct {
	Row      int        `json:"row"`
	Col      int        `json:"col"`
	Level    int        `json:"level"`
	Box      vision.Box `json:"box"`
	Captions []Caption  `json:"captions"`
}

// DenseResult is what Dense returns: the global captions, the tile
// captions, and the merged dense description per language.
type DenseResult struct {
	Model   string        `json:"model"`
	Width   int           `json:"width"`
	Height  int           `json:"height"`
	Global  []Caption     `json:"global"`
	Tiles   []TileCaption `json:"tiles"`
	Merged  []Caption     `json:"merged"`
	Timings Timings       `json:"timings"`
}

// BadRequestError says which part of a request is wrong.
type BadRequestError struct {
	Field string
	Msg   string
}

func (e *BadRequestError) Error() string { return "caption: " + e.Field + ": " + e.Msg }

// Is makes errors.Is(err, ErrBadRequest) true.
func (e *BadRequestError) Is(target error) bool { return target == ErrBadRequest }

func quote(s string) string { return "\"" + s + "\"" }
