//go:build lingua

package caption

import (
	"slices"

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
	"sq": lingua.Albanian, "sr": lingua.Serbian, "sr-Latn": lingua.Serbian, "st": lingua.Sotho,
	"sv": lingua.Swedish, "sw": lingua.Swahili, "ta": lingua.Tamil, "te": lingua.Telugu,
	"th": lingua.Thai, "tn": lingua.Tswana, "tr": lingua.Turkish, "ts": lingua.Tsonga, "uk": lingua.Ukrainian, "ur": lingua.Urdu,
	"vi": lingua.Vietnamese, "xh": lingua.Xhosa, "yo": lingua.Yoruba, "zh": lingua.Chinese,
	"zu": lingua.Zulu,
}

// linguaTags is the reverse of linguaLanguages; Serbian maps back to "sr",
// and identifierSame lets that answer count for sr-Latn too.
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
// candidate languages. lingua-go detectors are safe for concurrent use; the
// n-gram models they load are cached process-wide by lingua-go itself.
type linguaIdentifier struct {
	det lingua.LanguageDetector
}

func newLangIdentifier(tags []string, high bool) langIdentifier {
	var langs []lingua.Language
	for _, t := range tags {
		if l, ok := linguaLanguages[t]; ok && !slices.Contains(langs, l) {
			langs = append(langs, l)
		}
	}
	if len(langs) < 2 {
		return nil
	}
	b := lingua.NewLanguageDetectorBuilder().FromLanguages(langs...)
	if !high {
		b = b.WithLowAccuracyMode()
	}
	return linguaIdentifier{det: b.Build()}
}

// identifierSupports reports whether tag has a model.
func identifierSupports(tag string) bool {
	_, ok := linguaLanguages[tag]
	return ok
}

func (li linguaIdentifier) scores(text string) []langScore {
	vals := li.det.ComputeLanguageConfidenceValues(text)
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

// identifierSame reports whether two tags share one model (sr and sr-Latn),
// so that the identifier's answer counts for either.
func identifierSame(a, b string) bool {
	la, oka := linguaLanguages[a]
	lb, okb := linguaLanguages[b]
	return a == b || (oka && okb && la == lb)
}
