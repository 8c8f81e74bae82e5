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

// earlier is what a journal holds from earlier runs of one kind: which
// paths have their outputs (and of which content), and the latest result
// for each content, so that a copy or a moved file gets its sidecars
// without the model.
type earlier struct {
	byPath    map[string]string  // path -> content key of its successful record
	byContent map[string]*Record // content key -> latest successful record
}

// readEarlier reads a journal's successful records of this kind (failed
// images are tried again) and how many incomplete lines an interrupted
// run left. A journal that does not exist yet is empty.
func readEarlier(path string, kind Kind) (*earlier, int, error) {
	e := &earlier{byPath: map[string]string{}, byContent: map[string]*Record{}}
	incomplete, err := sidecar.ScanJournal(path, func(key string, raw json.RawMessage) {
		var r Record
		if json.Unmarshal(raw, &r) != nil || r.Error != "" {
			return
		}
		if r.Kind == "" {
			r.Kind = Describe
		}
		if r.Kind != kind {
			return
		}
		e.byPath[r.File] = key
		e.byContent[key] = &r
	})
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return e, 0, nil
	case err != nil:
		return nil, 0, &JournalError{Path: path, Err: err}
	}
	return e, incomplete, nil
}
