package sidecar

import "errors"

// Sentinel errors, matched with errors.Is. The errors this package returns
// wrap them (and the underlying cause, if any) inside an *Error that names
// the operation and the file.
var (
	// ErrInvalid: an argument is malformed (a language tag that is not
	// BCP-47, the same language twice, nothing to write).
	ErrInvalid = errors.New("invalid argument")
	// ErrNotXMP: an existing sidecar is not well-formed XML or holds no
	// rdf:RDF, or its dc:description is not a language alternative. The file
	// is left untouched.
	ErrNotXMP = errors.New("existing sidecar is not usable XMP")
	// ErrCorrupt: a complete journal line (one that ends in a newline) is
	// not a JSON object with a string "key".
	ErrCorrupt = errors.New("corrupt journal line")
	// ErrNoKey: a record given to Journal.Append has no non-empty string
	// "key" field, so a resumed run could not find it.
	ErrNoKey = errors.New(`record has no "key" field`)
	// ErrClosed: Journal.Append after Journal.Close, or after an earlier
	// write failed (the journal then refuses further lines so that it never
	// holds a torn line in its middle).
	ErrClosed = errors.New("journal closed")
)

// Error is the error type of this package. Op is the function that failed
// ("WriteXMP", "WriteText", "OpenJournal", "Journal.Append",
// "ReadJournal"), Path the file it was working on, Err the cause.
type Error struct {
	Op   string
	Path string
	Err  error
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "sidecar: " + e.Op + ": " + e.Err.Error()
	}
	return "sidecar: " + e.Op + " " + e.Path + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }
