package vision

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is. The errors this package returns
// wrap them inside an *Error that names the operation and the file.
var (
	// ErrTooLarge: the image has more pixels than Options.MaxPixels.
	ErrTooLarge = errors.New("image has too many pixels")
	// ErrFileTooLarge: the input has more bytes than Options.MaxFileBytes.
	ErrFileTooLarge = errors.New("image file too large")
	// ErrUnknownFormat: the content matches none of the supported formats.
	ErrUnknownFormat = errors.New("unknown image format")
	// ErrUnsupported: the format is known but this file uses a variant the
	// decoder lacks (for example RLE-compressed BMP).
	ErrUnsupported = errors.New("unsupported image variant")
	// ErrCorrupt: the input is truncated or malformed.
	ErrCorrupt = errors.New("corrupt or truncated image")
	// ErrEmptyBox: a box has no area, before or after clamping to the image.
	ErrEmptyBox = errors.New("empty box")
	// ErrBoxOutside: a box lies entirely outside the image.
	ErrBoxOutside = errors.New("box outside the image")
	// ErrInvalid: an argument is malformed (a box that does not parse, NaN
	// coordinates, a non-positive grid size, ...).
	ErrInvalid = errors.New("invalid argument")
)

// Error is the error type of this package. Op is the operation that failed
// ("load", "decode", "crop", "grid", ...), Path the file or the name given
// in Options.Name (may be empty), Err the cause, which wraps one of the
// sentinels above.
type Error struct {
	Op   string
	Path string
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "vision: " + e.Op + ": " + e.Err.Error()
	}
	return "vision: " + e.Op + " " + e.Path + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// detail carries a message written for people while still matching its
// sentinel (and the underlying cause, if any) with errors.Is.
type detail struct {
	msg   string
	kind  error
	cause error
}

func (d *detail) Error() string { return d.msg }

func (d *detail) Unwrap() []error {
	if d.cause == nil {
		return []error{d.kind}
	}
	return []error{d.kind, d.cause}
}

func newError(op, path string, kind error, format string, args ...any) *Error {
	return &Error{Op: op, Path: path, Err: &detail{msg: fmt.Sprintf(format, args...), kind: kind}}
}

func wrapError(op, path string, kind, cause error, format string, args ...any) *Error {
	return &Error{Op: op, Path: path, Err: &detail{msg: fmt.Sprintf(format, args...), kind: kind, cause: cause}}
}
