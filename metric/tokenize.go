package metric

import (
	"strings"
	"unicode"
)

// charLevel lists the languages written without spaces between words,
// tokenised one character at a time.
var charLevel = map[string]bool{"zh": true, "zh-Hant": true, "ja": true, "th": true, "lo": true, "km": true, "my": true}

// CharLevel reports whether lang is tokenised per character.
func CharLevel(lang string) bool {
	base, _, _ := strings.Cut(lang, "-")
	return charLevel[lang] || charLevel[base]
}

// Tokenize splits text into tokens as sacreBLEU's default tokenizer (13a,
// mteval-v13a's rules) does: punctuation and symbols become tokens of
// their own, periods and commas too unless they sit between digits, and a
// hyphen after a digit. For character-level languages every letter of the
// scripts that write no spaces (Han, kana, Thai, Lao, Khmer, Myanmar) is a
// token of its own; Latin words and numbers inside such text stay whole.
func Tokenize(text, lang string) []string {
	text = strings.ReplaceAll(text, "<skipped>", "")
	if strings.Contains(text, "&") {
		text = strings.NewReplacer("&quot;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(text)
	}
	text = strings.ReplaceAll(text, "-\n", "")
	text = strings.ReplaceAll(text, "\n", " ")
	var b strings.Builder
	rs := []rune(text)
	char := CharLevel(lang)
	for i, r := range rs {
		switch {
		case char && noSpaceScript(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		case isolated(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		case r == '.' || r == ',':
			// Split unless between digits ("3.5", "1,000").
			prevDigit := i > 0 && isDigit(rs[i-1])
			nextDigit := i+1 < len(rs) && isDigit(rs[i+1])
			if prevDigit && nextDigit {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
				b.WriteRune(r)
				b.WriteByte(' ')
			}
		case r == '-' && i > 0 && isDigit(rs[i-1]):
			b.WriteString(" - ")
		default:
			b.WriteRune(r)
		}
	}
	return strings.Fields(b.String())
}

// isolated are 13a's symbols that always stand alone: ASCII punctuation
// other than period, comma, hyphen and apostrophe.
func isolated(r rune) bool {
	switch {
	case r >= '{' && r <= '~', r >= '[' && r <= '`', r >= ' ' && r <= '&', r >= '(' && r <= '+', r >= ':' && r <= '@', r == '/':
		return r != ' '
	}
	return false
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// noSpaceScript reports letters of scripts written without word spaces,
// and their punctuation (CJK symbols, full-width forms).
func noSpaceScript(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF) || r == 0x30FC
}
