//go:build !nolingua

package caption

import (
	"fmt"
	"slices"
	"sync"

	"github.com/pemistahl/lingua-go"
)

// identifierName is reported by Detection.Reason and in the docs.
const identifierName = "lingua-go"

// linguaLanguages maps registry tags to the languages lingua-go v1.4 has
// models for. Tags it lacks (quz, am, ne, ...) get the script check only.
var linguaLanguages = map[string]lingua.Language{
	"af": lingua.Afrikaans, "ar": lingua.Arabic, "az": lingua.Azerbaijani, "be": lingua.Belarusian,
	"bg": lingua.Bulgarian, "bn": lingua.Bengali, "bs": lingua.Bosnian, "ca": lingua.Catalan,
	"cs": lingua.Czech, "cy": lingua.Welsh, "da": lingua.Danish, "de": lingua.German,
	"el": lingua.Greek, "en": lingua.English, "eo": lingua.Esperanto, "es": lingua.Spanish,
	"et": lingua.Estonian, "eu": lingua.Basque, "fa": lingua.Persian, "fi": lingua.Finnish,
	"fil": lingua.Tagalog, "fr": lingua.French, "ga": lingua.Irish, "gu": lingua.Gujarati,
	"he": lingua.Hebrew, "hi": lingua.Hindi, "hr": lingua.Croatian, "hu": lingua.Hungarian,
	"hy": lingua.Armenian, "id": lingua.Indonesian, "is": lingua.Icelandic, "it": lingua.Italian,
	"ja": lingua.Japanese, "ka": lingua.Georgian, "kk": lingua.Kazakh, "ko": lingua.Korean,
	"la": lingua.Latin, "lg": lingua.Ganda, "lt": lingua.Lithuanian, "lv": lingua.Latvian, "mi": lingua.Maori,
	"mk": lingua.Macedonian, "mn": lingua.Mongolian, "mr": lingua.Marathi, "ms": lingua.Malay,
	"nl": lingua.Dutch, "nn": lingua.Nynorsk, "no": lingua.Bokmal, "pa": lingua.Punjabi,
	"pl": lingua.Polish, "pt": lingua.Portuguese, "ro": lingua.Romanian, "ru": lingua.Russian,
	"sk": lingua.Slovak, "sl": lingua.Slovene, "sn": lingua.Shona, "so": lingua.Somali,
	"sq": lingua.Albanian, "sr": lingua.Serbian, "st": lingua.Sotho,
	"sv": lingua.Swedish, "sw": lingua.Swahili, "ta": lingua.Tamil, "te": lingua.Telugu,
	"th": lingua.Thai, "tn": lingua.Tswana, "tr": lingua.Turkish, "ts": lingua.Tsonga, "uk": lingua.Ukrainian, "ur": lingua.Urdu,
	"vi": lingua.Vietnamese, "xh": lingua.Xhosa, "yo": lingua.Yoruba, "zh": lingua.Chinese,
	"zu": lingua.Zulu,
}

// linguaTags is the reverse of linguaLanguages. Serbian (Latin) has no
// entry: lingua-go's Serbian model is Cyrillic, so Latin-script Serbian is
// identified through its twins (detectTwinGroups).
var linguaTags = func() map[lingua.Language]string {
	m := make(map[lingua.Language]string, len(linguaLanguages))
	for tag, l := range linguaLanguages {
		if prev, ok := m[l]; !ok || tag < prev {
			m[l] = tag
		}
	}
	return m
}()

// linguaIdentifier wraps one lingua detector restricted to a small set of
// candidate languages (the screen) and builds two-language high-accuracy
// detectors on demand (the duel). lingua-go detectors are safe for
// concurrent use; the n-gram models they load are cached process-wide by
// lingua-go itself, so duels that share a language share its models.
type linguaIdentifier struct {
	det  lingua.LanguageDetector
	high bool

	mu     sync.Mutex
	finals map[string]lingua.LanguageDetector
}

// linguaSet is tags' lingua languages, without repeats; nil for fewer
// than two (nothing to tell apart).
func linguaSet(tags []string) []lingua.Language {
	var langs []lingua.Language
	for _, t := range tags {
		if l, ok := linguaLanguages[t]; ok && !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	if len(langs) < 2 {
		return nil
	}
	return langs
}

func newLangIdentifier(tags []string, high bool) langIdentifier {
	langs := linguaSet(tags)
	if langs == nil {
		return nil
	}
	b := lingua.NewLanguageDetectorBuilder().FromLanguages(langs...)
	if !high {
		b = b.WithLowAccuracyMode()
	}
	return &linguaIdentifier{det: b.Build(), high: high, finals: map[string]lingua.LanguageDetector{}}
}

// identifierSupports reports whether tag has a model.
func identifierSupports(tag string) bool {
	_, ok := linguaLanguages[tag]
	return ok
}

func (li *linguaIdentifier) scores(text string) []langScore {
	return linguaScores(li.det, text)
}

// final scores text over tags alone with lingua-go's high-accuracy models
// (1- to 5-grams), which tell close languages apart on short text far
// better than the trigrams of the screen.
func (li *linguaIdentifier) final(text string, tags []string) []langScore {
	langs := linguaSet(tags)
	if langs == nil {
		return nil
	}
	slices.Sort(langs)
	key := fmt.Sprint(langs)
	li.mu.Lock()
	det, ok := li.finals[key]
	if !ok {
		det = lingua.NewLanguageDetectorBuilder().FromLanguages(langs...).Build()
		li.finals[key] = det
	}
	li.mu.Unlock()
	return linguaScores(det, text)
}

func linguaScores(det lingua.LanguageDetector, text string) []langScore {
	vals := det.ComputeLanguageConfidenceValues(text)
	out := make([]langScore, 0, len(vals))
	for _, v := range vals {
		if tag, ok := linguaTags[v.Language()]; ok {
			out = append(out, langScore{tag: tag, p: v.Value()})
		}
	}
	return out
}

// identifierNote is how Reason names the identifier and its mode.
func identifierNote(high bool) string {
	if high {
		return identifierName + " (high accuracy)"
	}
	return identifierName + " (low accuracy)"
}

// identifierSame reports whether two tags share one model, so that the
// identifier's answer counts for either.
func identifierSame(a, b string) bool {
	la, oka := linguaLanguages[a]
	lb, okb := linguaLanguages[b]
	return a == b || (oka && okb && la == lb)
}
