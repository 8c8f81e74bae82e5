package caption

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Language is one entry of the language registry. The zero Language means
// "no language" (for example an undetermined detection result).
type Language struct {
	Tag     string // BCP-47 tag, the canonical key: "de", "zh", "zh-Hant", "fil"
	ISO3    string // ISO 639-3 code ("deu"); macrolanguage code where the tag is one ("zho", "msa")
	English string // English name: "German"
	Native  string // name in the language itself: "Deutsch"
	Script  string // ISO 15924 code of the usual script: "Latn", "Cyrl", "Hans", "Jpan", "Kore"
	RTL     bool   // written right to left
}

// String returns the tag, so that a Language prints compactly in logs and %v.
func (l Language) String() string { return l.Tag }

// Display names the language for people and for prompts in other languages:
// "Swahili (Kiswahili)", or just "English" where both names are the same.
func (l Language) Display() string {
	if l.Native == "" || strings.EqualFold(l.Native, l.English) {
		return l.English
	}
	return l.English + " (" + l.Native + ")"
}

// IsZero reports whether l is the zero Language.
func (l Language) IsZero() bool { return l == Language{} }

// MarshalText writes the language as its tag, so JSON and other text
// encodings carry "de", not the whole record.
func (l Language) MarshalText() ([]byte, error) { return []byte(l.Tag), nil }

// UnmarshalText reads any spelling LookupLanguage accepts; empty text is
// the zero Language.
func (l *Language) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*l = Language{}
		return nil
	}
	v, err := LookupLanguage(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ErrUnknownLanguage is matched (errors.Is) by every *UnknownLanguageError.
var ErrUnknownLanguage = errors.New("caption: unknown language")

// UnknownLanguageError is returned by LookupLanguage and ParseLanguages for a
// code or name that is not in the registry. Suggestions holds the closest
// registry languages, best first; it may be empty.
type UnknownLanguageError struct {
	Code        string
	Suggestions []Language
}

func (e *UnknownLanguageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "caption: unknown language %q", e.Code)
	if len(e.Suggestions) == 0 {
		b.WriteString("; use a BCP-47 code such as de or an English name such as German")
		return b.String()
	}
	b.WriteString("; did you mean ")
	for i, l := range e.Suggestions {
		switch {
		case i == 0:
		case i == len(e.Suggestions)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%s)", l.Tag, l.English)
	}
	b.WriteString("?")
	return b.String()
}

// Is makes errors.Is(err, ErrUnknownLanguage) true.
func (e *UnknownLanguageError) Is(target error) bool { return target == ErrUnknownLanguage }

// langIndex maps every normalised spelling to its index in langTable. It is
// built once at init; the registry is immutable afterwards, which makes all
// lookups safe for concurrent use.
var langIndex = buildLangIndex()

func buildLangIndex() map[string]int {
	idx := make(map[string]int, len(langTable)*8)
	// Earlier passes win, so a tag or an explicit alias is never shadowed by a
	// name or an ISO 639-3 code that two entries share (sr/sr-Latn, zh/zh-Hant).
	add := func(key string, i int) {
		for _, k := range []string{langNorm(key), langFold(langNorm(key))} {
			if _, ok := idx[k]; !ok && k != "" {
				idx[k] = i
			}
		}
	}
	for i, e := range langTable {
		add(e.lang.Tag, i)
	}
	for i, e := range langTable {
		for _, a := range e.aliases {
			add(a, i)
		}
	}
	for i, e := range langTable {
		add(e.lang.English, i)
		add(e.lang.Native, i)
	}
	for i, e := range langTable {
		add(e.lang.ISO3, i)
	}
	return idx
}

// langNorm lower-cases, trims and turns underscores into hyphens, so that
// "zh_TW", "ZH-tw" and " zh-tw " are one key.
func langNorm(s string) string {
	s = strings.TrimSpace(strings.ToLower(s))
	s = strings.ReplaceAll(s, "_", "-")
	return strings.Join(strings.Fields(s), " ")
}

// langFoldPairs pairs each accented Latin letter with the ASCII letter that
// people type instead ("espanol", "francais", "turkce").
const langFoldPairs = "áaàaâaäaãaåaāaăaąaçcćcčcďdđdéeèeêeëeēeėeęeěeğgíiìiîiïiīiįiıiķkĺlľlłlńnňnñnóoòoôoöoõoøoōoőoŕrřrśsšsşsșsťtţtțtúuùuûuüuūuůuűuųuýyÿyźzžzżzʻ'’'"

var langFoldMap = func() map[rune]rune {
	pairs := []rune(langFoldPairs)
	m := make(map[rune]rune, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	return m
}()

func langFold(s string) string {
	return strings.Map(func(r rune) rune {
		if f, ok := langFoldMap[r]; ok {
			return f
		}
		return r
	}, s)
}

// LookupLanguage finds a language by BCP-47 tag ("de", "pt-BR", "zh_TW"),
// legacy code ("iw", "in", "ji"), ISO 639-3 or 639-2/B code ("deu", "ger"),
// English name ("german") or native name ("Deutsch", "español" or "espanol"),
// ignoring case. A tag with an unknown region or script subtag falls back to
// its language ("de-LI" is German). An unknown code yields an
// *UnknownLanguageError that suggests the closest entries.
func LookupLanguage(code string) (Language, error) {
	key := langNorm(code)
	if i, ok := langLookupKey(key); ok {
		return langTable[i].lang, nil
	}
	return Language{}, &UnknownLanguageError{Code: strings.TrimSpace(code), Suggestions: langSuggest(key)}
}

func langLookupKey(key string) (int, bool) {
	if key == "" {
		return 0, false
	}
	for k := key; ; {
		if i, ok := langIndex[k]; ok {
			return i, true
		}
		if i, ok := langIndex[langFold(k)]; ok {
			return i, true
		}
		cut := strings.LastIndexByte(k, '-')
		// Only tag-shaped keys lose subtags: "german-x" is a typo, not a tag.
		if cut <= 0 || strings.ContainsRune(k, ' ') || len(k[:cut]) > 8 {
			return 0, false
		}
		k = k[:cut]
	}
}

// MustLookupLanguage is LookupLanguage for codes fixed in source code; it
// panics on an unknown code.
func MustLookupLanguage(code string) Language {
	l, err := LookupLanguage(code)
	if err != nil {
		panic(err)
	}
	return l
}

// Languages returns every registry language, sorted by tag. The slice is a
// copy that the caller may modify.
func Languages() []Language {
	out := make([]Language, len(langTable))
	for i, e := range langTable {
		out[i] = e.lang
	}
	slices.SortFunc(out, func(a, b Language) int { return strings.Compare(a.Tag, b.Tag) })
	return out
}

// ParseLanguages parses a list such as "de,fr, ja" or "de fr ja" (commas
// and/or white space; names with spaces need commas: "Bahasa Indonesia, de").
// Duplicates are dropped, keeping the first position. Every unknown item is
// reported; the joined error matches ErrUnknownLanguage and, through
// errors.As, the first *UnknownLanguageError.
func ParseLanguages(list string) ([]Language, error) {
	var items []string
	if strings.Contains(list, ",") {
		for _, it := range strings.Split(list, ",") {
			items = append(items, strings.TrimSpace(it))
		}
	} else {
		items = strings.Fields(list)
	}
	var (
		out  []Language
		errs []error
	)
	for _, it := range items {
		if it == "" {
			continue
		}
		l, err := LookupLanguage(it)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(errs) > 0 {
		return out, errors.Join(errs...)
	}
	return out, nil
}

// langSuggest ranks registry keys by edit distance to key, with prefix
// matches ("portugu" → pt) ranked as if one edit away, and returns up to three
// distinct languages close enough to be a plausible typo.
func langSuggest(key string) []Language {
	if key == "" {
		return nil
	}
	n := utf8.RuneCountInString(key)
	// Short codes tolerate one edit; names about one edit in three letters.
	limit := max(1, n/3)
	type cand struct {
		i, d int
		k    string
	}
	var cands []cand
	for k, i := range langIndex {
		d := langDistance(key, k)
		if n >= 3 && strings.HasPrefix(k, key) {
			d = min(d, 1)
		}
		if d <= limit {
			cands = append(cands, cand{i, d, k})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if a.d != b.d {
			return a.d - b.d
		}
		// Among equals prefer a longer common prefix (typos tend to come
		// later in a word), then the tag itself, then shorter keys.
		if pa, pb := langCommonPrefix(key, a.k), langCommonPrefix(key, b.k); pa != pb {
			return pb - pa
		}
		at, bt := langTable[a.i].lang.Tag == a.k, langTable[b.i].lang.Tag == b.k
		if at != bt {
			if at {
				return -1
			}
			return 1
		}
		if len(a.k) != len(b.k) {
			return len(a.k) - len(b.k)
		}
		return strings.Compare(a.k, b.k)
	})
	var out []Language
	for _, c := range cands {
		l := langTable[c.i].lang
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
		if len(out) == 3 {
			break
		}
	}
	return out
}

func langCommonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// langDistance is the optimal-string-alignment edit distance over runes:
// Levenshtein plus adjacent transpositions, the commonest typing slip
// ("germna").
func langDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// langCased reports whether the script distinguishes upper and lower case,
// which decides whether Clean capitalises the first word it leaves.
func langCased(script string) bool {
	switch script {
	case "Latn", "Cyrl", "Grek", "Armn":
		return true
	}
	return false
}

// langUpperFirst upper-cases the first letter of s with the language's
// casing rules (Turkish and Azerbaijani dotted İ, the Dutch IJ digraph). It
// leaves words that already contain a capital alone, so "iPhone" survives.
func langUpperFirst(s string, lang Language) string {
	r, size := utf8.DecodeRuneInString(s)
	if !unicode.IsLower(r) {
		return s
	}
	word := s
	if i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		word = s[:i]
	}
	if strings.IndexFunc(word, unicode.IsUpper) >= 0 {
		return s
	}
	switch lang.Tag {
	case "tr", "az":
		return string(unicode.TurkishCase.ToUpper(r)) + s[size:]
	case "nl":
		if strings.HasPrefix(s, "ij") {
			return "IJ" + s[2:]
		}
	}
	return string(unicode.ToTitle(r)) + s[size:]
}
