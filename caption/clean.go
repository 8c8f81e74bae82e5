package caption

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CleanOptions selects what Clean does. The zero value does everything
// except cutting a trailing unfinished sentence, which needs Truncated.
type CleanOptions struct {
	// KeepOpeners leaves boilerplate openers ("This image shows", "Das Bild
	// zeigt", "图中") in place.
	KeepOpeners bool
	// KeepMarkdown leaves markdown and line structure alone; by default
	// emphasis, links and code marks are removed, and headings and list
	// items become sentences.
	KeepMarkdown bool
	// KeepParagraphs keeps blank-line paragraph breaks ("\n\n"); by default
	// the result is one paragraph, as alt text and sidecars want.
	KeepParagraphs bool
	// Truncated says that generation stopped at its token limit, so the
	// text after the last sentence terminator is an unfinished sentence and
	// is cut. Text without any terminator is kept whole.
	Truncated bool
}

// Clean turns a model's raw answer into a caption in lang: markdown
// removed, white space normalised, a boilerplate opener removed (with the
// next word capitalised in cased scripts), surrounding quotes dropped, and
// with opt.Truncated the trailing half sentence cut.
func Clean(text string, lang Language, opt CleanOptions) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var paras []string
	if opt.KeepMarkdown {
		paras = cleanPlainParagraphs(text, true)
	} else {
		paras = cleanMarkdown(text, lang)
	}
	if len(paras) == 0 {
		return ""
	}
	paras[0] = cleanOuterQuotes(paras[0])
	if !opt.KeepOpeners {
		paras[0] = cleanOpeners(paras[0], lang)
	}
	sep := " "
	if opt.KeepParagraphs || opt.KeepMarkdown {
		sep = "\n\n"
	}
	out := paras[0]
	for _, p := range paras[1:] {
		out = cleanJoin(out, p, sep)
	}
	if opt.Truncated {
		out = cleanCutPartial(out)
	}
	return strings.TrimSpace(out)
}

// cleanPlainParagraphs splits text at blank lines and normalises white
// space; keepLines keeps single line breaks inside a paragraph.
func cleanPlainParagraphs(text string, keepLines bool) []string {
	var paras []string
	for _, block := range cleanBlankLines.Split(text, -1) {
		lines := strings.Split(block, "\n")
		var kept []string
		for _, l := range lines {
			if l = cleanSpace(l); l != "" {
				kept = append(kept, l)
			}
		}
		if len(kept) == 0 {
			continue
		}
		if keepLines {
			paras = append(paras, strings.Join(kept, "\n"))
			continue
		}
		p := kept[0]
		for _, l := range kept[1:] {
			p = cleanJoin(p, l, " ")
		}
		paras = append(paras, p)
	}
	return paras
}

var (
	cleanBlankLines = regexp.MustCompile(`\n[ \t]*\n\s*`)
	cleanSpaces     = regexp.MustCompile(`[ \t\f\v\x{200B}\x{3000}]+`)
)

// cleanSpace collapses runs of spaces, tabs, zero-width and ideographic
// spaces to one space and trims the ends.
func cleanSpace(s string) string {
	return strings.TrimSpace(cleanSpaces.ReplaceAllString(s, " "))
}

// cleanJoin joins two pieces of text with sep, except that CJK text runs
// on without a space, as it is written.
func cleanJoin(a, b, sep string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	last, _ := utf8.DecodeLastRuneInString(a)
	first, _ := utf8.DecodeRuneInString(b)
	if sep == " " && cleanIsCJK(last) && cleanIsCJK(first) {
		return a + b
	}
	return a + sep + b
}

func cleanIsCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

var (
	cleanHeading = regexp.MustCompile(`^#{1,6}\s+(.*?)\s*#*$`)
	cleanBullet  = regexp.MustCompile(`^(?:[-*+•·‣◦▪–]|\d{1,3}[.)])\s+`)
	cleanRule    = regexp.MustCompile(`^(?:[-*_]\s*){3,}$`)
	cleanQuote   = regexp.MustCompile(`^>\s?`)
	cleanFence   = regexp.MustCompile("^(?:```|~~~)")
	// Inline marks, outermost first so that **bold** is not read as two
	// italics.
	cleanInline = []struct {
		re   *regexp.Regexp
		repl string
	}{
		{regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`), "$1"},
		{regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`), "$1"},
		{regexp.MustCompile("`([^`]+)`"), "$1"},
		{regexp.MustCompile(`\*\*\*(\S(?:.*?\S)?)\*\*\*`), "$1"},
		{regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*`), "$1"},
		{regexp.MustCompile(`__(\S(?:.*?\S)?)__`), "$1"},
		{regexp.MustCompile(`~~(\S(?:.*?\S)?)~~`), "$1"},
		{regexp.MustCompile(`(^|[\s(])\*(\S(?:[^*]*?\S)?)\*`), "$1$2"},
		{regexp.MustCompile(`(^|[\s(])_(\S(?:[^_]*?\S)?)_([\s).,;:!?]|$)`), "$1$2$3"},
		{regexp.MustCompile(`\*\*`), ""},
	}
)

// cleanMarkdown removes markdown and returns the paragraphs: emphasis, code
// and link marks go, headings and list items become sentences of their own
// (capitalised, with a terminator), fences and rules go.
func cleanMarkdown(text string, lang Language) []string {
	var (
		paras []string
		cur   string
	)
	flush := func() {
		if cur != "" {
			paras = append(paras, cur)
			cur = ""
		}
	}
	for _, line := range strings.Split(text, "\n") {
		t := cleanSpace(line)
		switch {
		case cleanFence.MatchString(t):
			continue
		case t == "" || cleanRule.MatchString(t):
			flush()
			continue
		}
		item := false
		if m := cleanHeading.FindStringSubmatch(t); m != nil {
			t, item = m[1], true
		}
		t = cleanQuote.ReplaceAllString(t, "")
		if loc := cleanBullet.FindStringIndex(t); loc != nil {
			t, item = t[loc[1]:], true
		}
		for _, in := range cleanInline {
			t = in.re.ReplaceAllString(t, in.repl)
		}
		t = cleanSpace(t)
		if t == "" {
			continue
		}
		if item {
			if langCased(lang.Script) {
				t = langUpperFirst(t, lang)
			}
			t = cleanTerminate(t, lang)
		}
		cur = cleanJoin(cur, t, " ")
	}
	flush()
	return paras
}

// cleanTerminate ends a heading or list item with the language's full stop
// unless it already ends in punctuation that closes or introduces.
func cleanTerminate(s string, lang Language) string {
	last, _ := utf8.DecodeLastRuneInString(s)
	if strings.ContainsRune(cleanTerminators+":;,：；", last) || strings.ContainsRune(cleanClosers, last) {
		return s
	}
	return s + cleanFullStop(lang)
}

// cleanFullStop is the sentence terminator the language writes.
func cleanFullStop(lang Language) string {
	switch lang.Script {
	case "Hans", "Hant", "Jpan":
		return "。"
	case "Thai", "Laoo":
		return "" // sentences end with a space, not a mark
	case "Mymr":
		return "။"
	case "Khmr":
		return "។"
	case "Ethi":
		return "።"
	case "Tibt":
		return "།"
	}
	switch lang.Tag {
	case "hi", "bn", "as", "sa", "ne":
		return "।"
	case "ur", "sd":
		return "۔"
	}
	return "."
}

// cleanTerminators end a sentence in the registry's scripts; cleanClosers
// may follow one (a closing quote or bracket) and stay with it.
const (
	cleanTerminators = ".!?…。！？।॥۔؟።။។།"
	cleanClosers     = "\"'”’»)]」』）】〉》›"
)

// cleanOuterQuotes drops quotes around the whole text ("“A dog.”"), which
// models add when asked for "a caption", unless the text quotes inside too.
func cleanOuterQuotes(s string) string {
	pairs := []struct{ open, close string }{
		{`"`, `"`}, {"“", "”"}, {"„", "“"}, {"«", "»"}, {"「", "」"}, {"『", "』"}, {"'", "'"},
	}
	for _, p := range pairs {
		if len(s) > len(p.open)+len(p.close) && strings.HasPrefix(s, p.open) && strings.HasSuffix(s, p.close) {
			inner := s[len(p.open) : len(s)-len(p.close)]
			if !strings.Contains(inner, p.open) && !strings.Contains(inner, p.close) {
				return strings.TrimSpace(inner)
			}
		}
	}
	return s
}

// cleanCutPartial cuts text after its last sentence terminator. Full stops
// inside numbers (3.5), abbreviations (Dr., St.) and initials (J. Smith)
// are not terminators: a terminator must be followed by white space or the
// end, except the CJK and Indic ones, which need no space.
func cleanCutPartial(s string) string {
	cut := -1
	for i, r := range s {
		if !strings.ContainsRune(cleanTerminators, r) {
			continue
		}
		end := i + utf8.RuneLen(r)
		for end < len(s) {
			c, size := utf8.DecodeRuneInString(s[end:])
			if !strings.ContainsRune(cleanClosers+cleanTerminators, c) {
				break
			}
			end += size
		}
		if strings.ContainsRune(".!?…", r) {
			next, _ := utf8.DecodeRuneInString(s[end:])
			if end < len(s) && !unicode.IsSpace(next) {
				continue
			}
			if r == '.' && cleanAbbreviation(s[:i]) {
				continue
			}
		}
		cut = end
	}
	if cut < 0 {
		return s
	}
	if rest := s[cut:]; strings.IndexFunc(rest, unicode.IsLetter) < 0 {
		return s
	}
	return strings.TrimSpace(s[:cut])
}

// cleanAbbreviation reports whether the word before a full stop is an
// initial or a common abbreviation rather than the end of a sentence.
func cleanAbbreviation(before string) bool {
	i := strings.LastIndexFunc(before, func(r rune) bool { return !unicode.IsLetter(r) })
	word := before[i+1:]
	if utf8.RuneCountInString(word) == 1 {
		r, _ := utf8.DecodeRuneInString(word)
		return unicode.IsUpper(r)
	}
	switch strings.ToLower(word) {
	case "mr", "mrs", "ms", "dr", "st", "vs", "nr", "prof", "hr", "sr", "jr":
		return true
	}
	return false
}

// cleanOpeners removes boilerplate at the start of the text, repeatedly
// ("Sure! The image shows ..."), and capitalises what follows in cased
// scripts. A rule never leaves the text empty.
func cleanOpeners(s string, lang Language) string {
	rules := append(append([]openerRule(nil), openerUniversal...), openerRules[lang.Tag]...)
	if lang.Tag != "en" && lang.Script == "Latn" {
		// Models asked for another Latin-script language sometimes open in
		// English and then switch; the English opener is never content.
		rules = append(rules, openerRules["en"]...)
	}
	changed := false
	for range 4 {
		applied := false
		for _, r := range rules {
			if next, ok := r.apply(s); ok {
				s, applied, changed = next, true, true
				break
			}
		}
		if !applied {
			break
		}
	}
	if changed && langCased(lang.Script) {
		s = langUpperFirst(s, lang)
	}
	return s
}

// openerRule rewrites a text that starts with boilerplate: re must match at
// the start; the match is replaced by repl (which may keep groups). unless,
// when set, vetoes the rule if it matches the result, where removing the
// opener would leave a broken sentence (a German accusative "einen Hund").
type openerRule struct {
	re     *regexp.Regexp
	repl   string
	unless *regexp.Regexp
}

func (r openerRule) apply(s string) (string, bool) {
	loc := r.re.FindStringSubmatchIndex(s)
	if loc == nil || loc[0] != 0 {
		return s, false
	}
	var b []byte
	b = r.re.ExpandString(b, r.repl, s, loc)
	out := strings.TrimSpace(string(b) + s[loc[1]:])
	if strings.IndexFunc(out, unicode.IsLetter) < 0 {
		return s, false
	}
	if r.unless != nil && r.unless.MatchString(out) {
		return s, false
	}
	return out, true
}
