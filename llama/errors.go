package llama

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrClosed is returned by methods of a Model, Projector or Context
	// after Close.
	ErrClosed = errors.New("llama: use after Close")
	// ErrContextFull means the prompt or the generation does not fit in
	// the context's KV cache; raise ContextOptions.ContextSize.
	ErrContextFull = errors.New("context is full")
	// ErrNoVision means images were given but no vision projector is
	// loaded, or the projector has no vision encoder.
	ErrNoVision = errors.New("model has no vision support")
	// ErrProjectorMismatch means the projector's output embedding size
	// differs from the text model's input embedding size: the mmproj file
	// belongs to another model.
	ErrProjectorMismatch = errors.New("projector does not fit the model")
	// ErrBadFile means a file is missing, unreadable, or not a valid GGUF.
	ErrBadFile = errors.New("not a usable GGUF file")
	// ErrInvalidArgument covers bad sequence ids, malformed images,
	// mismatched image markers and similar caller errors.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrBatchTooSmall means an image needs more tokens in one batch than
	// the context allows (non-causal projectors decode an image at once).
	ErrBatchTooSmall = errors.New("batch too small for image")
	// ErrAborted means a decode was cancelled through its context.Context.
	ErrAborted = errors.New("decode aborted")
)

// Error describes a failed operation; Op names the Go method (for example
// "LoadModel" or "Context.Generate").
type Error struct {
	Op   string
	Path string // the file involved, if any
	Err  error  // a sentinel above, wrapped with details
	// Detail is the first error line llama.cpp logged on the calling
	// thread during the operation, if any: it usually says exactly what
	// was wrong with a file.
	Detail string
}

func (e *Error) Error() string {
	msg := "llama: " + e.Op
	if e.Path != "" {
		msg += " " + e.Path
	}
	msg += ": " + e.Err.Error()
	if e.Detail != "" {
		msg += " (llama.cpp: " + e.Detail + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

func opErr(op string, sentinel error, format string, args ...any) *Error {
	if format == "" {
		return &Error{Op: op, Err: sentinel}
	}
	return &Error{Op: op, Err: fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)}
}
