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

// OnMismatch says what becomes of a caption whose language check fails
// (Caption.Detected.Match is false).
type OnMismatch string

// Mismatch policies. retry and warn spend more model time to get the
// language right; keep and fail spend none. retry and fail never return a
// wrong-language text; warn and keep return it marked StatusMismatch.
const (
	// MismatchRetry (the default) asks again with the strict prompt, then
	// through the pivot language where the strategy allows it (Auto); an
	// answer still in the wrong language is StatusFailed, with no text.
	MismatchRetry OnMismatch = "retry"
	// MismatchWarn retries as MismatchRetry does but keeps the last answer,
	// marked StatusMismatch; the command line prints a warning.
	MismatchWarn OnMismatch = "warn"
	// MismatchKeep keeps the first answer, marked StatusMismatch, without
	// retries or warnings (for text the check misjudges, such as
	// code-switched captions).
	MismatchKeep OnMismatch = "keep"
	// MismatchFail makes a wrong-language answer StatusFailed at once,
	// without retries.
	MismatchFail OnMismatch = "fail"
)

// ParseOnMismatch accepts retry, warn, keep, fail and "" (retry).
func ParseOnMismatch(s string) (OnMismatch, error) {
	switch m := OnMismatch(s); m {
	case "":
		return MismatchRetry, nil
	case MismatchRetry, MismatchWarn, MismatchKeep, MismatchFail:
		return m, nil
	}
	return "", &BadRequestError{Field: "on-mismatch", Msg: "unknown policy " + quote(s) + " (use retry, warn, keep or fail)"}
}

// retries reports whether the policy asks again after a wrong-language
// answer.
func (m OnMismatch) retries() bool {
	return m == "" || m == MismatchRetry || m == MismatchWarn
}

// Status is the outcome of one caption.
type Status string

// Caption statuses.
const (
	// StatusOK: the text passed the language check.
	StatusOK Status = "ok"
	// StatusMismatch: the text failed the check and was kept (MismatchWarn,
	// MismatchKeep); Detected says what it appears to be.
	StatusMismatch Status = "mismatch"
	// StatusFailed: no answer passed the check; Text is empty and Attempts
	// hold what the model wrote.
	StatusFailed Status = "failed"
)

// Attempt is one answer the model gave on the way to a caption.
type Attempt struct {
	// Step is direct, strict (the stricter retry), pivot (the caption in
	// the pivot language), translate or translate-strict.
	Step     string    `json:"step"`
	Language Language  `json:"language"`
	Text     string    `json:"text"`
	Detected Detection `json:"detected"`
}

// Generation bounds and shapes the generated text.
type Generation struct {
	// MaxTokens per output; 0 means a default for the mode (brief 96,
	// detailed 384, region 24 + 3 per word, tile 160, merge 512).
	MaxTokens int
	// Sampling; the zero value is greedy.
	Sampling Sampling
	// Stop ends a caption where one of these strings appears (the string
	// itself is cut); at most 8, each at most 256 bytes.
	Stop []string
}

// Caption is one output text with how it was obtained.
type Caption struct {
	// Language is the requested language.
	Language Language `json:"language"`
	// Status is ok, mismatch (kept although the check failed) or failed
	// (empty Text; see OnMismatch).
	Status Status `json:"status"`
	// Text is the cleaned caption (Raw when the request asked for raw).
	Text string `json:"text"`
	// Raw is the model's text before clean-up.
	Raw string `json:"raw,omitempty"`
	// Detected is the language check's verdict on the last answer.
	Detected Detection `json:"detected"`
	// Attempts are the answers in order: direct, strict, pivot,
	// translate, translate-strict, as far as the flow went.
	Attempts []Attempt `json:"attempts,omitempty"`
	// Pivot is the pivot-language caption a translated Text comes from.
	Pivot *Attempt `json:"pivot,omitempty"`
	// Grounding, with Request.Ground, scores each sentence against the
	// image (of the text before DropUngrounded removed any).
	Grounding *GroundResult `json:"grounding,omitempty"`
	// Retried: the first answer was in the wrong language and a stricter
	// prompt was used. Pivoted: the text is a translation from the pivot
	// language.
	Retried bool `json:"retried,omitempty"`
	Pivoted bool `json:"pivoted,omitempty"`
	// Tokens generated, and why generation stopped.
	Tokens int        `json:"tokens"`
	Stop   StopReason `json:"stop"`
}

// Failed reports whether no acceptable text was obtained.
func (c *Caption) Failed() bool { return c.Status == StatusFailed }

// settle gives the caption its final status under policy.
func (c *Caption) settle(policy OnMismatch) {
	switch {
	case c.Detected.Match:
		c.Status = StatusOK
	case policy == MismatchWarn || policy == MismatchKeep:
		c.Status = StatusMismatch
	default:
		c.Status, c.Text, c.Raw = StatusFailed, "", ""
	}
}

// FailedCaptions counts the captions of captions that failed.
func FailedCaptions(captions []Caption) int {
	n := 0
	for i := range captions {
		if captions[i].Failed() {
			n++
		}
	}
	return n
}

// Failed counts the result's failed captions.
func (r *Result) Failed() int { return FailedCaptions(r.Captions) }

// Failed counts failed captions over all regions.
func (r *RegionsResult) Failed() int {
	n := 0
	for _, g := range r.Regions {
		n += FailedCaptions(g.Captions)
	}
	return n
}

// Failed counts failed captions of the global and merged descriptions and
// the tiles.
func (r *DenseResult) Failed() int {
	n := FailedCaptions(r.Global) + FailedCaptions(r.Merged)
	for _, t := range r.Tiles {
		n += FailedCaptions(t.Captions)
	}
	return n
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
