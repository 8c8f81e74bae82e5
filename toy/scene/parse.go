package scene

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

type phrase struct {
	text string // lower case
	item Item
}

// phrases holds, per language, every item phrase in both its opening and
// its later form, longest first so that a place that contains another
// ("top centre" and "centre") is matched whole.
var phrases = func() map[string][]phrase {
	m := make(map[string][]phrase, len(grammars))
	for lang, g := range grammars {
		seen := map[string]bool{}
		var ps []phrase
		for _, it := range allItems() {
			for _, first := range []bool{true, false} {
				t := strings.ToLower(g.text(g.item(it, first)))
				if !seen[t] {
					seen[t] = true
					ps = append(ps, phrase{t, it})
				}
			}
		}
		slices.SortFunc(ps, func(a, b phrase) int {
			return cmp.Or(cmp.Compare(len(b.text), len(a.text)), strings.Compare(a.text, b.text))
		})
		m[lang] = ps
	}
	return m
}()

// Parse reads the objects named in a caption in lang, for scoring a model
// per object. It finds every item phrase anywhere in the text, ignoring
// case, so a caption with one garbled object still yields the others. The
// error is nil only when the caption is exactly what Caption writes for the
// items found (hence for a scene with those items); otherwise the items are
// returned with an error wrapping ErrNotCanonical.
func Parse(caption, lang string) ([]Item, error) {
	g, err := lookup("scene.Parse", lang)
	if err != nil {
		return nil, err
	}
	low := strings.ToLower(caption)
	var items []Item
	for i := 0; i < len(low); {
		if p, ok := matchAt(g, phrases[lang], low, i); ok {
			items = append(items, p.item)
			i += len(p.text)
			continue
		}
		_, n := utf8.DecodeRuneInString(low[i:])
		i += n
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("scene.Parse: %w: no object found", ErrNotCanonical)
	}
	if !slices.IsSortedFunc(items, func(a, b Item) int { return cmp.Compare(a.Place, b.Place) }) {
		return items, fmt.Errorf("scene.Parse: %w: objects out of row-major order", ErrNotCanonical)
	}
	for i := 1; i < len(items); i++ {
		if items[i].Place == items[i-1].Place {
			return items, fmt.Errorf("scene.Parse: %w: two objects at the %v", ErrNotCanonical, items[i].Place)
		}
	}
	if want := g.text(g.caption(items)); want != caption {
		return items, fmt.Errorf("scene.Parse: %w: want %q", ErrNotCanonical, want)
	}
	return items, nil
}

// matchAt returns the longest phrase at byte i of low. In spaced languages a
// phrase must start and end at word boundaries, so that "ein roter kreis"
// is not found inside "kein roter kreis".
func matchAt(g *grammar, ps []phrase, low string, i int) (phrase, bool) {
	if g.spaced && i > 0 {
		r, _ := utf8.DecodeLastRuneInString(low[:i])
		if isWordRune(r) {
			return phrase{}, false
		}
	}
	for _, p := range ps {
		if !strings.HasPrefix(low[i:], p.text) {
			continue
		}
		if j := i + len(p.text); g.spaced && j < len(low) {
			if r, _ := utf8.DecodeRuneInString(low[j:]); isWordRune(r) {
				continue
			}
		}
		return p, true
	}
	return phrase{}, false
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}
