package batch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/sidecar"
)

// Record is one line of the journal: one image's outcome. Captions are
// the image's captions (a dense run's merged descriptions); a regions run
// fills Regions, a dense run Global and Tiles too.
type Record struct {
	Key      string                  `json:"key"` // SHA-256 of the file's bytes
	File     string                  `json:"file"`
	Time     string                  `json:"time"`
	Kind     Kind                    `json:"kind,omitempty"` // "" is describe
	Model    string                  `json:"model,omitempty"`
	Width    int                     `json:"width,omitempty"`
	Height   int                     `json:"height,omitempty"`
	Captions []caption.Caption       `json:"captions,omitempty"`
	Regions  []caption.RegionCaption `json:"regions,omitempty"`
	Global   []caption.Caption       `json:"global,omitempty"`
	Tiles    []caption.TileCaption   `json:"tiles,omitempty"`
	Error    string                  `json:"error,omitempty"`
}

// fill takes a result of any kind.
func (rec *Record) fill(res any) {
	switch res := res.(type) {
	case *caption.Result:
		rec.Model, rec.Width, rec.Height, rec.Captions = res.Model, res.Width, res.Height, res.Captions
	case *caption.RegionsResult:
		rec.Kind, rec.Model, rec.Width, rec.Height, rec.Regions = Regions, res.Model, res.Width, res.Height, res.Regions
	case *caption.DenseResult:
		rec.Kind, rec.Model, rec.Width, rec.Height = Dense, res.Model, res.Width, res.Height
		rec.Captions, rec.Global, rec.Tiles = res.Merged, res.Global, res.Tiles
	}
}

// tokens counts the tokens generated for the record.
func (rec *Record) tokens() int {
	n := 0
	count := func(cs []caption.Caption) {
		for _, c := range cs {
			n += c.Tokens
		}
	}
	count(rec.Captions)
	count(rec.Global)
	for _, r := range rec.Regions {
		count(r.Captions)
	}
	for _, t := range rec.Tiles {
		count(t.Captions)
	}
	return n
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

// finished reads the keys of the images a journal records as done in a
// run of this kind (failed images are tried again) and how many
// incomplete lines an interrupted run left. A journal that does not exist
// yet is empty.
func finished(path string, kind Kind) (map[string]bool, int, error) {
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
			Kind  Kind   `json:"kind"`
			Error string `json:"error"`
		}
		if r.Kind == "" {
			r.Kind = Describe
		}
		if json.Unmarshal(raw, &r) == nil && r.Error == "" && r.Kind == kind {
			done[k] = true
		}
	}
	return done, incomplete, nil
}
