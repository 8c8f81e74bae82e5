package batch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

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
	// Status is partial when some of the image's captions failed the
	// language check (the others were written); failed records carry
	// Error. Both are redone by the next run.
	Status Status `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

// main is the record's captions that decide its outcome: a describe
// run's captions, a dense run's merged descriptions, every region's
// captions (tile and global captions that fail only leave the merge).
func (rec *Record) main() []caption.Caption {
	if rec.Kind != Regions {
		return rec.Captions
	}
	var all []caption.Caption
	for _, r := range rec.Regions {
		all = append(all, r.Captions...)
	}
	return all
}

// LanguageError is an image none of whose captions passed the language
// check.
type LanguageError struct {
	Failed []string // the languages, in request order, without repeats
}

func (e *LanguageError) Error() string {
	return fmt.Sprintf("no caption passed the language check (%s); see the journal record's attempts", strings.Join(e.Failed, ", "))
}

// settle sets the record's outcome from its captions: nil when all
// passed (or were kept), partial when some failed, a *LanguageError when
// every one did.
func (rec *Record) settle() error {
	caps := rec.main()
	switch n := caption.FailedCaptions(caps); {
	case n == 0:
		return nil
	case n < len(caps):
		rec.Status = StatusPartial
		return nil
	}
	return &LanguageError{Failed: failedLanguages(caps)}
}

// failedLanguages lists the languages of the failed captions in order,
// without repeats.
func failedLanguages(caps []caption.Caption) []string {
	var failed []string
	for _, c := range caps {
		if c.Failed() && !slices.Contains(failed, c.Language.Tag) {
			failed = append(failed, c.Language.Tag)
		}
	}
	return failed
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

// covers reports whether the record has captions in every language of
// langs: a journal written for --lang de does not make an image done for
// --lang de,sw.
func (rec *Record) covers(langs []string) bool {
	caps := rec.main()
	for _, l := range langs {
		if !slices.ContainsFunc(caps, func(c caption.Caption) bool { return c.Language.Tag == l }) {
			return false
		}
	}
	return true
}

// readEarlier reads a journal's successful records of this kind in the
// languages langs (failed and partial images are tried again) and how many incomplete lines an interrupted
// run left. A journal that does not exist yet is empty.
func readEarlier(path string, kind Kind, langs []string) (*earlier, int, error) {
	e := &earlier{byPath: map[string]string{}, byContent: map[string]*Record{}}
	incomplete, err := sidecar.ScanJournal(path, func(key string, raw json.RawMessage) {
		var r Record
		if json.Unmarshal(raw, &r) != nil || r.Error != "" || r.Status == StatusPartial {
			return
		}
		if r.Kind == "" {
			r.Kind = Describe
		}
		if r.Kind != kind || !r.covers(langs) {
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
