package caption

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// Language verification: did the model answer in the language it was asked
// for? Stages, cheapest first.
//
//  1. Script. The letters are counted per Unicode script. Text whose script
//     does not fit the requested language is a mismatch whatever its length:
//     ja needs kana, zh Han without kana (and Simplified vs Traditional is
//     told apart by some 400 variant-only characters), ko Hangul, ru Cyrillic,
//     and so on. This alone catches the commonest failure, a model falling
//     back to English or Chinese for a non-Latin language.
//  2. Screen, only where the script is shared and the text has four words
//     or more: lingua-go (github.com/pemistahl/lingua-go v1.4.0) in
//     low-accuracy mode (trigrams, under 1 MiB per language) scores the
//     text over the requested language, its twins, the languages models
//     drift into from it (detectDrift: pt→es, sk→cs, uk→ru, ...) and the
//     script's big languages (detectCommon: English, Spanish, ... Swahili).
//     A text the screen puts clearly (by 0.5) ahead of every rival passes.
//  3. Final: everything else (and every text of a language with drift
//     siblings, and every text full of English function words) is decided
//     by lingua-go's high-accuracy models (1- to 5-grams) over the requested
//     language, its best rival in the screen and its drift languages
//     alone. A rival must lead by identifyMargin to flag the text.
//
// Languages lingua-go has no model for (quz, haw, ne, ...) get function-word
// tests instead: English for Latin scripts, Hindi for Devanagari, the
// answers models fall back to. Twins (hr/sr-Latn/bs, ms/id) accept each
// other: the most accurate models tell them apart on only 77% of our
// captions, and their readers read each other's captions.
//
// The design was chosen by measurement (TestDetectMeasure, which asserts the
// default build's figures; docs/languages.md has the tables and the
// commands): 445 caption-like samples in 54 languages, among them the hard
// groups it/es/pt/ca, sv/da/no/nn, cs/sk/pl, hr/sr-Latn/bs/sl, ms/id,
// ru/uk/bg and hi/mr/ne. The default build accepts 98.6% of the correct
// Latin-script captions of 5+ words and rejects 99.6% of the likely wrong
// ones (97.7% of the drift pairs, 100% of English answers). The screen alone
// accepted 90.7% (too many needless retries); the high-accuracy models
// alone need about 15-40 MiB per language, for every candidate. Screen and
// final hold 30 MiB (a German run) to 175 MiB (Italian, whose final loads
// Spanish and Portuguese too) more than the small build; lingua-go also
// adds 130 MB to the binary, because it embeds all its models. Building
// with -tags nolingua leaves it out: script and function-word checks only
// (every English answer and wrong script caught, but no drift between
// Latin-script languages).

// Detection is the verdict on one text.
type Detection struct {
	// Lang is the language the text appears to be written in: the
	// requested one when it passes, the best guess when it does not (zero
	// when there is none, e.g. Latin text in a language no model covers).
	Lang Language `json:"lang"`
	// Script is the ISO 15924 code of the script most letters are in (see
	// DetectScript); "" for text without letters.
	Script string `json:"script"`
	// Confidence is the identifier's probability for Lang when one was
	// asked, else the share of letters in the script that decided.
	Confidence float64 `json:"confidence"`
	// Match reports whether the text is acceptable as the requested
	// language: true unless the evidence says otherwise.
	Match bool `json:"match"`
	// Reason says in a few words what decided, for logs.
	Reason string `json:"reason,omitempty"`
}

// DetectOptions configures a Detector. The zero value is the default.
type DetectOptions struct {
	// HighAccuracy scores with lingua-go's full n-gram models: better on
	// short text, but about 15 MiB of memory per language used instead of
	// under 1 MiB, held for the life of the process.
	HighAccuracy bool
}

// A Detector verifies the language of model outputs. It builds and caches
// one identifier per requested language on first use. A Detector is safe
// for concurrent use.
type Detector struct {
	high bool
	mu   sync.Mutex
	ids  map[string]langIdentifier
}

// langIdentifier scores text over a fixed candidate set, best first
// (scores), and over a few languages alone with its most accurate models
// (final; nil when it has none for them).
type langIdentifier interface {
	scores(text string) []langScore
	final(text string, tags []string) []langScore
}

type langScore struct {
	tag string
	p   float64
}

// NewDetector returns a Detector; nil opt means defaults.
func NewDetector(opt *DetectOptions) *Detector {
	d := &Detector{ids: map[string]langIdentifier{}}
	if opt != nil {
		d.high = opt.HighAccuracy
	}
	return d
}

var defaultDetector = NewDetector(nil)

// DetectLanguage checks text against want with a shared default Detector.
func DetectLanguage(text string, want Language) Detection {
	return defaultDetector.Detect(text, want)
}

// minIdentifyWords is the shortest text (in words) the identifier may
// overrule: a two-word caption such as "Gato negro" is valid Spanish,
// Portuguese and Galician alike.
const minIdentifyWords = 4

// identifyMargin is how far another candidate's probability must lead the
// requested language's before the text is flagged, so that a near tie does
// not cost a retry. Chosen on the measurement set (TestDetectMeasure): 0 and
// 0.1 reject equally well, 0.1 accepts more correct answers, and larger
// margins let short wrong answers through.
const identifyMargin = 0.05

// screenClear is the lead over every rival with which the low-accuracy
// screen accepts a text without the final.
const screenClear = 0.5

// finalRivals is how many of the screen's best rivals meet want in the
// final (besides its drift languages). Measured: three reject 0.1 points
// more than one and load 27 MiB more for the toy languages.
const finalRivals = 1

// Detect checks whether text is written in want.
func (d *Detector) Detect(text string, want Language) Detection {
	c := countScripts(text)
	script, share := c.dominant()
	det := Detection{Script: script, Confidence: share}
	switch {
	case c.total == 0:
		det.Match, det.Reason = true, "no letters to judge"
		return det
	case want.IsZero():
		det.Lang = d.guess(text, c, script)
		det.Match, det.Reason = true, "no language requested"
		return det
	}
	if ok, why := scriptFits(c, want); !ok {
		det.Lang = d.guess(text, c, script)
		det.Reason = why
		return det
	}
	det.Lang, det.Match = want, true
	det.Confidence = c.share(want.Script)
	words := c.letterWords
	id := d.identifierFor(want)
	if id == nil {
		if words >= minIdentifyWords {
			if m, ok := markerMismatch(text, want); ok {
				det.Lang, det.Match = m, false
				det.Reason = m.English + " function words, want " + want.Tag
				return det
			}
		}
		det.Reason = fmt.Sprintf("script %s fits %s; no identifier for it", want.Script, want.Tag)
		return det
	}
	if words < minIdentifyWords {
		det.Reason = fmt.Sprintf("script %s fits; %d words are too few to identify", want.Script, words)
		return det
	}
	scores := id.scores(text)
	if len(scores) == 0 {
		det.Reason = "script fits; identifier undecided"
		return det
	}
	// The screen: every candidate in low accuracy. Its rival is the best
	// candidate that is not want; its own pick for want may be a twin.
	pWant, wantTag := 0.0, ""
	var rivals []string
	var rival langScore
	for _, s := range scores {
		switch {
		case sameLanguage(s.tag, want.Tag):
			if s.p > pWant || wantTag == "" {
				pWant, wantTag = s.p, s.tag
			}
		default:
			if rival.tag == "" {
				rival = s
			}
			if len(rivals) < finalRivals {
				rivals = append(rivals, s.tag)
			}
		}
	}
	// A drift language (sk for cs, pt for it) always goes to the final:
	// the screen's trigrams confuse exactly those pairs.
	for _, tag := range detectDrift[want.Tag] {
		if !slices.Contains(rivals, tag) && identifierSupports(tag) {
			rivals = append(rivals, tag)
		}
	}
	// So does English when its function words fill the text: low-accuracy
	// trigrams take short English for Welsh or Maori.
	marker, suspect := markerMismatch(text, want)
	if suspect && !slices.Contains(rivals, marker.Tag) {
		rivals = append(rivals, marker.Tag)
	}
	clear := rival.tag == "" || (wantTag != "" && pWant-rival.p >= screenClear)
	if clear && !suspect && len(detectDrift[want.Tag]) == 0 {
		det.Confidence = pWant
		det.Reason = fmt.Sprintf("identified as %s (%.2f) by %s", wantTag, pWant, identifierNote(d.high))
		return det
	}
	// The final: want against the screen's best rivals alone, with the
	// most accurate models; it decides everything the screen does not
	// clearly accept.
	finalTag := want.Tag
	if !identifierSupports(finalTag) {
		finalTag = wantTag
	}
	how := identifierNote(d.high)
	if fs := id.final(text, append([]string{finalTag}, rivals...)); len(fs) > 0 {
		how = identifierName + " (high accuracy: " + finalTag + " against " + strings.Join(rivals, ", ") + ")"
		pWant, rival = 0, langScore{}
		for _, s := range fs {
			if sameLanguage(s.tag, want.Tag) {
				if s.p > pWant {
					pWant, wantTag = s.p, s.tag
				}
			} else if rival.tag == "" {
				rival = s
			}
		}
	}
	if rival.p <= pWant {
		det.Confidence = pWant
		det.Reason = fmt.Sprintf("identified as %s (%.2f) by %s", wantTag, pWant, how)
		return det
	}
	// English is the answer models fall back to; its function words are
	// evidence enough even where the identifier's margin is thin.
	english := rival.tag == "en" && looksEnglish(text)
	if rival.p-pWant < identifyMargin && !english {
		det.Confidence = pWant
		det.Reason = fmt.Sprintf("%s (%.2f) not clearly ahead of %s (%.2f) by %s", rival.tag, rival.p, want.Tag, pWant, how)
		return det
	}
	det.Lang, _ = LookupLanguage(rival.tag)
	det.Confidence, det.Match = rival.p, false
	det.Reason = fmt.Sprintf("identified as %s (%.2f), want %s (%.2f) by %s", rival.tag, rival.p, want.Tag, pWant, how)
	return det
}

// scriptFits applies stage 1: is the text written in a script want uses?
func scriptFits(c scriptCounts, want Language) (bool, string) {
	const minShare = 0.5
	sh := c.share(want.Script)
	switch want.Script {
	case "Jpan":
		if sh < minShare {
			return false, fmt.Sprintf("%.0f%% of letters are Japanese script", 100*sh)
		}
		// A few kanji alone ("東京駅") are valid Japanese; longer text
		// without kana is Chinese.
		if c.kanaShare() < japaneseKanaShare && c.han > 6 {
			return false, "Han without kana: Chinese, not Japanese"
		}
	case "Hans", "Hant":
		if c.kanaShare() >= japaneseKanaShare {
			return false, "kana: Japanese, not Chinese"
		}
		if sh < minShare {
			return false, fmt.Sprintf("%.0f%% of letters are Han", 100*sh)
		}
		// Variant characters decide only when they clearly lean one way;
		// proper names and quotations mix them.
		if want.Script == "Hans" && c.trad >= 2 && c.trad > 2*c.simp {
			return false, "Traditional characters, want Simplified"
		}
		if want.Script == "Hant" && c.simp >= 2 && c.simp > 2*c.trad {
			return false, "Simplified characters, want Traditional"
		}
	case "Kore":
		if c.hangul == 0 || sh < minShare {
			return false, fmt.Sprintf("%.0f%% of letters are Korean script", 100*sh)
		}
	default:
		if sh < minShare {
			return false, fmt.Sprintf("%.0f%% of letters are %s", 100*sh, want.Script)
		}
	}
	return true, ""
}

// identifierFor returns the cached identifier for want, building it on
// first use; nil when want has no model or no candidate to confuse it with.
func (d *Detector) identifierFor(want Language) langIdentifier {
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.ids[want.Tag]; ok {
		return id
	}
	var id langIdentifier
	if identifiable(want.Tag) {
		id = newLangIdentifier(detectCandidates(want), d.high)
	}
	d.ids[want.Tag] = id
	return id
}

// detectCandidates is want, the languages a model drifts into from it
// (detectDrift), and the big languages of its script that multilingual
// models are trained on most and answer in when they miss (detectCommon):
// English above all, but also Spanish or Swahili when the prompt or the
// image suggests them. An identifier restricted to a few candidates assigns
// an answer in any other language to the closest of them, so the set must
// hold the likely wrong answers; it must not hold every language of the
// script, because each extra candidate is another chance to outscore a
// correct short caption (measured: accept falls from 97% to 90% with all
// 40 Latin-script languages in low-accuracy mode).
func detectCandidates(want Language) []string {
	c := []string{want.Tag}
	if !identifiable(want.Tag) {
		return c
	}
	for _, tag := range slices.Concat(twinsOf(want.Tag), detectDrift[want.Tag], detectCommon[want.Script]) {
		if !slices.Contains(c, tag) && identifierSupports(tag) && MustLookupLanguage(tag).Script == want.Script {
			c = append(c, tag)
		}
	}
	return c
}

// detectCommon lists, per script, the languages most captions a model
// writes in that script are in: the big languages of multilingual training
// sets (mBLIP, Centurio, Qwen2.5-VL) and the toy model's.
var detectCommon = map[string][]string{
	"Latn": {"en", "es", "fr", "de", "pt", "it", "nl", "id", "tr", "pl", "vi", "sw"},
	"Cyrl": {"ru", "uk"},
	"Arab": {"ar", "fa"},
	"Deva": {"hi", "mr"},
}

// scriptLanguages lists the registry's languages per script, English first
// among the Latin ones (the usual fallback of every model), then by tag.
var scriptLanguages = func() map[string][]string {
	m := map[string][]string{"Latn": {"en"}}
	for _, e := range langTable {
		if e.lang.Tag != "en" {
			m[e.lang.Script] = append(m[e.lang.Script], e.lang.Tag)
		}
	}
	return m
}()

// detectTwinGroups are standards that an identifier cannot tell apart on a
// caption and whose readers read each other's captions without effort:
// Croatian, Serbian and Bosnian; Malay and Indonesian. An answer in the
// twin is accepted (TestDetectMeasure reports how often the identifier
// confuses them). Bokmål and Nynorsk are not twins here: a user asking for
// one has chosen it over the other.
var detectTwinGroups = [][]string{{"hr", "sr", "sr-Latn", "bs"}, {"ms", "id"}}

// twinsOf lists tag's twins (nil for most languages).
func twinsOf(tag string) []string {
	for _, g := range detectTwinGroups {
		if slices.Contains(g, tag) {
			return g
		}
	}
	return nil
}

// identifiable reports whether the identifier has a model for tag or for
// one of its twins (Serbian in Latin script is identified through Croatian
// and Bosnian).
func identifiable(tag string) bool {
	return identifierSupports(tag) || slices.ContainsFunc(twinsOf(tag), identifierSupports)
}

// sameLanguage reports whether an answer identified as a is acceptable as b.
func sameLanguage(a, b string) bool {
	if identifierSame(a, b) {
		return true
	}
	for _, g := range detectTwinGroups {
		if slices.Contains(g, a) && slices.Contains(g, b) {
			return true
		}
	}
	return false
}

// detectDrift lists, per language, the same-script languages that a model
// asked for it is most likely to answer in instead: the dominant neighbour
// of a smaller language (uk→ru, ca→es, af→nl, sk→cs, nn→no, mr→hi) or a
// sibling it is easily mixed with (da/no/sv, it/es/pt). The identifier
// scores every language of the script (detectCandidates); these pairs are
// the hard cases that TestDetectMeasure reports on their own.
var detectDrift = map[string][]string{
	"it": {"es", "pt"}, "pt": {"es", "it"}, "gl": {"es", "pt"}, "ca": {"es"}, "eu": {"es"},
	"la": {"it"}, "af": {"nl"},
	"da": {"no", "sv"}, "sv": {"da", "no"}, "no": {"da", "sv", "nn"}, "nn": {"no", "da"}, "is": {"da", "no"},
	"et": {"fi"}, "cs": {"sk", "pl"}, "sk": {"cs", "pl"}, "pl": {"cs", "sk"}, "sl": {"hr"}, "hr": {"sl"},
	"az": {"tr"}, "xh": {"zu"},
	"uk": {"ru"}, "be": {"ru"}, "bg": {"ru"}, "ru": {"uk", "bg"}, "mk": {"bg", "sr"}, "sr": {"ru"},
	"kk": {"ru"}, "mn": {"ru"},
	"fa": {"ar"}, "ur": {"ar"}, "mr": {"hi"}, "ne": {"hi"}, "hi": {"mr"},
}

// guess names the language of text that failed the check, for logs and for
// callers that pivot: the only registry language of a script where there
// is one, else the identifier of the script's main language.
func (d *Detector) guess(text string, c scriptCounts, script string) Language {
	if tag, ok := scriptOnlyLanguage[script]; ok {
		return MustLookupLanguage(tag)
	}
	rep, ok := scriptMainLanguage[script]
	if !ok {
		return Language{}
	}
	if id := d.identifierFor(MustLookupLanguage(rep)); id != nil && c.letterWords >= minIdentifyWords {
		if s := id.scores(text); len(s) > 0 {
			l, _ := LookupLanguage(s[0].tag)
			return l
		}
	}
	if script == "Latn" && looksEnglish(text) {
		return MustLookupLanguage("en")
	}
	if script == "Deva" && looksHindi(text) {
		return MustLookupLanguage("hi")
	}
	return Language{}
}

// markerMismatch is the check for languages without an identifier model
// (and every language in a build without one): text full of English (Latin
// script) or Hindi (Devanagari) function words is not the requested
// language. These are the answers models fall back to.
func markerMismatch(text string, want Language) (Language, bool) {
	switch {
	case want.Script == "Latn" && want.Tag != "en" && looksEnglish(text):
		return MustLookupLanguage("en"), true
	case want.Script == "Deva" && want.Tag != "hi" && looksHindi(text):
		return MustLookupLanguage("hi"), true
	}
	return Language{}, false
}

// scriptOnlyLanguage maps scripts that one registry language owns (as far as
// a captioner is concerned) to it.
var scriptOnlyLanguage = func() map[string]string {
	by := map[string][]string{}
	for _, e := range langTable {
		by[e.lang.Script] = append(by[e.lang.Script], e.lang.Tag)
	}
	m := map[string]string{"Hani": "zh", "Hans": "zh", "Hant": "zh-Hant"}
	for script, tags := range by {
		if _, set := m[script]; !set && len(tags) == 1 {
			m[script] = tags[0]
		}
	}
	return m
}()

// scriptMainLanguage picks, for shared scripts, the language whose candidate
// set covers the script's most likely outputs.
var scriptMainLanguage = map[string]string{
	"Latn": "en", "Cyrl": "ru", "Arab": "ar", "Deva": "hi",
}

// englishFunctionWords are frequent English words that the Latin-script
// languages without an identifier model do not use as words of their own.
var englishFunctionWords = map[string]bool{
	"the": true, "a": true, "an": true, "of": true, "and": true, "is": true, "are": true,
	"with": true, "on": true, "in": true, "at": true, "this": true, "there": true, "its": true,
	"their": true, "while": true, "near": true, "next": true, "to": true, "from": true,
	"by": true, "which": true, "that": true, "has": true, "have": true, "some": true,
}

// englishStrongWords are the function words that no other Latin-script
// language in the registry writes as a word of its own.
var englishStrongWords = map[string]bool{
	"the": true, "and": true, "of": true, "is": true, "are": true, "with": true,
	"an": true, "while": true, "this": true, "there": true,
}

// hindiFunctionWords are frequent Hindi words (copula, postpositions,
// progressive auxiliaries) that Nepali and Marathi captions do not use;
// hindiStrongWords are those no other Devanagari language in the registry
// writes at all.
var hindiFunctionWords = map[string]bool{
	"है": true, "हैं": true, "में": true, "और": true, "की": true, "के": true, "का": true,
	"रहा": true, "रही": true, "रहे": true, "पर": true, "से": true, "हुए": true, "हुआ": true,
}

var hindiStrongWords = map[string]bool{"है": true, "हैं": true, "में": true, "और": true}

// looksHindi is looksEnglish for Hindi: a fifth of the words are Hindi
// function words, at least one of them unmistakable.
func looksHindi(text string) bool {
	return functionWordShare(text, hindiFunctionWords, hindiStrongWords, 5)
}

// looksEnglish reports text in which English function words make up a
// quarter of the words, with at least one of the unmistakable ones.
func looksEnglish(text string) bool {
	return functionWordShare(text, englishFunctionWords, englishStrongWords, 4)
}

// functionWordShare reports whether at least 1/per of text's words are in
// words and one of them is in strong.
func functionWordShare(text string, words, strong map[string]bool, per int) bool {
	ws := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Mc, r) && r != '\''
	})
	if len(ws) == 0 {
		return false
	}
	n, sure := 0, false
	for _, w := range ws {
		if words[w] {
			n++
			sure = sure || strong[w]
		}
	}
	return sure && per*n >= len(ws)
}
