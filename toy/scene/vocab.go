package scene

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// vocab is a language's closed vocabulary, gathered once by generating
// every phrase the grammar can produce.
type vocab struct {
	words []string // sorted; no marks
	// pieces holds words and marks longest first, for segmenting
	// languages written without spaces.
	pieces []string
	known  map[string]bool
}

var vocabs = func() map[string]*vocab {
	m := make(map[string]*vocab, len(grammars))
	for lang, g := range grammars {
		m[lang] = g.buildVocab()
	}
	return m
}()

func (g *grammar) buildVocab() *vocab {
	seen := map[string]bool{}
	add := func(toks []string) {
		for _, t := range toks {
			seen[t] = true
		}
	}
	add(g.sep)
	add(g.and)
	add(g.end)
	for _, it := range allItems() {
		add(g.item(it, true))
		add(g.item(it, false))
		add(g.object(it.Shape, it.Colour))
	}
	v := &vocab{known: map[string]bool{}}
	for t := range seen {
		if !g.isMark(t) {
			v.words = append(v.words, t)
		}
		v.known[t] = true
		v.pieces = append(v.pieces, t)
	}
	for _, m := range g.marks {
		if !v.known[m] {
			v.known[m] = true
			v.pieces = append(v.pieces, m)
		}
	}
	slices.Sort(v.words)
	slices.SortFunc(v.pieces, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	return v
}

// allItems lists every object at every place, in a fixed order.
func allItems() []Item {
	var items []Item
	for p := Place(0); p < NumPlaces; p++ {
		for sh := Shape(0); sh < NumShapes; sh++ {
			for c := Colour(0); c < NumColours; c++ {
				items = append(items, Item{Place: p, Shape: sh, Colour: c})
			}
		}
	}
	return items
}

// Words returns, sorted, every word that Caption and ObjectCaption can use
// in lang, punctuation excluded; nil for an unsupported language. A word
// that opens a sentence is listed in its capitalised form too, since the
// toy model's tokenizer keeps case.
func Words(lang string) []string {
	v, ok := vocabs[lang]
	if !ok {
		return nil
	}
	return slices.Clone(v.words)
}

// Marks returns the punctuation marks captions in lang use; nil for an
// unsupported language.
func Marks(lang string) []string {
	g, ok := grammars[lang]
	if !ok {
		return nil
	}
	return slices.Clone(g.marks)
}

// Split cuts a caption into the words and marks it is written with, in
// order; every piece is in Words(lang) or Marks(lang), and Join gives the
// caption back. Languages written with spaces split at spaces and before
// marks; Chinese and Japanese are segmented by longest match against the
// vocabulary, which their grammar tables keep unambiguous. Text outside the
// vocabulary is an ErrUnknownWord.
func Split(caption, lang string) ([]string, error) {
	g, err := lookup("scene.Split", lang)
	if err != nil {
		return nil, err
	}
	v := vocabs[lang]
	var toks []string
	if g.spaced {
		for _, f := range strings.Fields(caption) {
			var trail []string
			for f != "" {
				m := markSuffix(g, f)
				if m == "" {
					break
				}
				trail = append(trail, m)
				f = f[:len(f)-len(m)]
			}
			if f != "" {
				toks = append(toks, f)
			}
			slices.Reverse(trail)
			toks = append(toks, trail...)
		}
	} else {
		for rest := caption; rest != ""; {
			i := slices.IndexFunc(v.pieces, func(p string) bool { return strings.HasPrefix(rest, p) })
			if i < 0 {
				r, _ := utf8.DecodeRuneInString(rest)
				return nil, fmt.Errorf("scene.Split: %w: %q at %q", ErrUnknownWord, string(r), rest)
			}
			toks = append(toks, v.pieces[i])
			rest = rest[len(v.pieces[i]):]
		}
	}
	for _, t := range toks {
		if !v.known[t] {
			return nil, fmt.Errorf("scene.Split: %w: %q in %s", ErrUnknownWord, t, lang)
		}
	}
	return toks, nil
}

func markSuffix(g *grammar, f string) string {
	for _, m := range g.marks {
		if strings.HasSuffix(f, m) {
			return m
		}
	}
	return ""
}

// Join writes pieces from Split (or a model's output tokens) as text in
// lang: spaces between words where the language uses them, none before
// marks. It returns "" for an unsupported language.
func Join(pieces []string, lang string) string {
	g, ok := grammars[lang]
	if !ok {
		return ""
	}
	return g.text(pieces)
}
