package batch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/sidecar"
)

// Record is one line of the journal: one image's outcome.
type Record struct {
	Key      string            `json:"key"` // SHA-256 of the file's bytes
	File     string            `json:"file"`
	Time     string            `json:"time"`
	Model    string            `json:"model,omitempty"`
	Width    int               `json:"width,omitempty"`
	Height   int               `json:"height,omitempty"`
	Captions []caption.Caption `json:"captions,omitempty"`
	Error    string            `json:"error,omitempty"`
}

// JournalError is a journal that cannot be read or opened; it wraps
// ErrInput.
type JournalError struct {
	Path string
	Err  error
}

func (e *JournalError) Error() string { return fmt.Sprintf("journal %s: %v", e.Path, e.Err) }

// Class makes caption.ClassOf class it as the caller's input.
func (e *JournalError) Class() caption.Class { return caption.ClassInput }

func (e *JournalError) Unwrap() []error {
	return []error{e.Err, ErrInput}
}

// finished reads the keys of the images a journal records as captioned
// (failed images are tried again) and how many incomplete lines an
// interrupted run left. A journal that does not exist yet is empty.
func finished(path string) (map[string]bool, int, error) {
	done := map[string]bool{}
	recs, incomplete, err := sidecar.ReadJournal(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return done, 0, nil
	case err != nil:
		return nil, 0, &JournalError{Path: path, Err: err}
	}
	for k, raw := range recs {
		var r struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(raw, &r) == nil && r.Error == "" {
			done[k] = true
		}
	}
	return done, incomplete, nil
}
