package scene

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// grammar is one language's caption rules. Captions are built as token
// lists, which makes the vocabulary (Words) and the segmentation (Split)
// exact by construction instead of a second description that could drift.
type grammar struct {
	// spaced languages separate words by spaces, with punctuation marks
	// attached to the word before; the others write tokens back to back.
	spaced bool
	// marks are the punctuation tokens.
	marks []string
	// item is one object's phrase; first is true for the one that opens
	// the sentence (capitals, Arabic's missing "and").
	item func(it Item, first bool) []string
	// sep goes between items, and before the last one; end closes the
	// sentence (Japanese puts its verb there).
	sep, and, end []string
	// object is the complete single-object caption.
	object func(sh Shape, c Colour) []string
}

var grammars = map[string]*grammar{
	"en": &english,
	"de": &german,
	"fr": &french,
	"es": &spanish,
	"ru": &russian,
	"ar": &arabic,
	"hi": &hindi,
	"zh": &chinese,
	"ja": &japanese,
	"sw": &swahili,
}

var languages = []string{"en", "de", "fr", "es", "ru", "ar", "hi", "zh", "ja", "sw"}

// Languages returns the caption languages as ISO 639-1 codes.
func Languages() []string { return slices.Clone(languages) }

func lookup(op, lang string) (*grammar, error) {
	g, ok := grammars[lang]
	if !ok {
		return nil, fmt.Errorf("%s: %w %q (use one of %s)", op, ErrLanguage, lang, strings.Join(languages, ", "))
	}
	return g, nil
}

// Caption returns the canonical caption of s in lang: every filled cell, in
// row-major order, with its place. There is exactly one caption per scene
// and language, so predictions can be scored by exact match.
func Caption(s Scene, lang string) (string, error) {
	g, err := lookup("scene.Caption", lang)
	if err != nil {
		return "", err
	}
	if err := s.Validate(); err != nil {
		return "", fmt.Errorf("scene.Caption: %w", err)
	}
	items, _ := s.Items()
	return g.text(g.caption(items)), nil
}

// ObjectCaption returns the caption of a crop that holds the one given
// shape, such as "A red circle.". It returns "" for a language that is not
// in Languages() or a shape or colour out of range.
func ObjectCaption(sh Shape, c Colour, lang string) string {
	g, ok := grammars[lang]
	if !ok || !sh.valid() || !c.valid() {
		return ""
	}
	return g.text(g.object(sh, c))
}

func (g *grammar) caption(items []Item) []string {
	var toks []string
	for i, it := range items {
		switch {
		case i == 0:
		case i == len(items)-1:
			toks = append(toks, g.and...)
		default:
			toks = append(toks, g.sep...)
		}
		toks = append(toks, g.item(it, i == 0)...)
	}
	return append(toks, g.end...)
}

func (g *grammar) isMark(t string) bool { return slices.Contains(g.marks, t) }

// text writes tokens out as the language writes them.
func (g *grammar) text(toks []string) string {
	if !g.spaced {
		return strings.Join(toks, "")
	}
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && !g.isMark(t) {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

// title upper-cases the first letter, for the word that opens a sentence;
// scripts without case come back unchanged.
func title(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// words splits a phrase of a spaced language into tokens.
func words(s string) []string { return strings.Fields(s) }

// cat joins token lists into a fresh slice, so that no table's backing
// array is ever appended to.
func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
