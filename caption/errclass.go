package caption

import (
	"context"
	"errors"
	"io/fs"

	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

// Class sorts errors by who can act on them, for callers that turn errors
// into exit codes or HTTP statuses without knowing every sentinel of the
// packages below (capgen's main.go does it in one place).
type Class int

const (
	// ClassFailure is none of the others: a failed decode, an I/O error,
	// a bug.
	ClassFailure Class = iota
	// ClassInput: the request or an input file is wrong (an image that
	// does not decode or is too large, an unknown language, an empty or
	// outside box, a missing file): fix the input.
	ClassInput
	// ClassModel: the model files are missing or invalid, do not belong
	// together, or have no vision encoder: use other files.
	ClassModel
	// ClassResource: the work does not fit what was set aside for it (an
	// image needs more tokens than the context holds): raise the limit or
	// shrink the input.
	ClassResource
	// ClassInterrupted: the context was cancelled or its deadline passed.
	ClassInterrupted
)

var classNames = [...]string{"failure", "input", "model", "resource", "interrupted"}

func (c Class) String() string {
	if c < 0 || int(c) >= len(classNames) {
		return "unknown"
	}
	return classNames[c]
}

// Classed is implemented by errors that know their class; ClassOf asks
// them first, so packages above caption (batch, for one) class their own
// errors.
type Classed interface {
	Class() Class
}

var classes = []struct {
	class   Class
	targets []error
}{
	{ClassInterrupted, []error{context.Canceled, context.DeadlineExceeded}},
	{ClassModel, []error{llama.ErrBadFile, llama.ErrProjectorMismatch, llama.ErrNoVision, ErrNoVision}},
	{ClassResource, []error{llama.ErrContextFull, llama.ErrBatchTooSmall, ErrImageTooLarge}},
	{ClassInput, []error{ErrBadRequest, ErrUnknownLanguage, fs.ErrNotExist,
		vision.ErrTooLarge, vision.ErrFileTooLarge, vision.ErrUnknownFormat, vision.ErrUnsupported,
		vision.ErrCorrupt, vision.ErrEmptyBox, vision.ErrBoxOutside, vision.ErrInvalid}},
}

// ClassOf returns the class of err (ClassFailure for nil and for errors it
// does not know).
func ClassOf(err error) Class {
	if err == nil {
		return ClassFailure
	}
	var c Classed
	if errors.As(err, &c) {
		return c.Class()
	}
	for _, cl := range classes {
		for _, t := range cl.targets {
			if errors.Is(err, t) {
				return cl.class
			}
		}
	}
	return ClassFailure
}
