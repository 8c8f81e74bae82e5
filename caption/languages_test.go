package caption

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// langXM3600 are the 36 languages of Crossmodal-3600, which the registry and the
// native templates must cover.
var langXM3600 = strings.Fields("ar bn cs da de el en es fa fi fil fr he hi hr hu id it ja ko mi nl no pl pt quz ro ru sv sw te th tr uk vi zh")

// langToyTags are the languages the toy model is trained on.
var langToyTags = strings.Fields("en de fr es ru ar hi zh ja sw")

func TestLanguagesRegistry(t *testing.T) {
	all := Languages()
	if len(all) < 100 {
		t.Fatalf("registry has %d languages, want at least 100", len(all))
	}
	scripts := map[string]bool{}
	for _, s := range strings.Fields("Latn Cyrl Arab Deva Hans Hant Jpan Kore Hebr Grek Thai Beng Telu Taml Ethi Geor Armn Gujr Guru Orya Knda Mlym Sinh Khmr Laoo Mymr Tibt Thaa") {
		scripts[s] = true
	}
	tagRE := regexp.MustCompile(`^[a-z]{2,3}(-[A-Z][a-z]{3})?$`)
	seen := map[string]bool{}
	for i, l := range all {
		if i > 0 && all[i-1].Tag >= l.Tag {
			t.Errorf("Languages() not sorted by tag at %s", l.Tag)
		}
		if seen[l.Tag] {
			t.Errorf("duplicate tag %s", l.Tag)
		}
		seen[l.Tag] = true
		if !tagRE.MatchString(l.Tag) {
			t.Errorf("%s: tag is not a plain BCP-47 language(-Script) tag", l.Tag)
		}
		if len(l.ISO3) != 3 || strings.ToLower(l.ISO3) != l.ISO3 {
			t.Errorf("%s: ISO 639-3 code %q", l.Tag, l.ISO3)
		}
		if l.English == "" || l.Native == "" {
			t.Errorf("%s: missing English or native name", l.Tag)
		}
		if !scripts[l.Script] {
			t.Errorf("%s: unexpected script %q", l.Tag, l.Script)
		}
		wantRTL := l.Script == "Arab" || l.Script == "Hebr" || l.Script == "Thaa"
		if l.RTL != wantRTL {
			t.Errorf("%s: RTL = %v with script %s", l.Tag, l.RTL, l.Script)
		}
		// The registry must resolve its own tag to itself.
		got, err := LookupLanguage(l.Tag)
		if err != nil || got != l {
			t.Errorf("LookupLanguage(%q) = %v, %v", l.Tag, got.Tag, err)
		}
	}
	for _, tag := range langXM3600 {
		if !seen[tag] {
			t.Errorf("XM3600 language %s missing", tag)
		}
	}
	// Mutating the returned slice must not touch the registry.
	all[0].English = "changed"
	if Languages()[0].English == "changed" {
		t.Error("Languages() returned the registry itself")
	}
}

func TestLookupLanguage(t *testing.T) {
	tests := []struct{ in, want string }{
		{"de", "de"}, {"DE", "de"}, {" de ", "de"}, {"deu", "de"}, {"ger", "de"},
		{"german", "de"}, {"German", "de"}, {"Deutsch", "de"}, {"deutsch", "de"},
		{"de-AT", "de"}, {"de_CH", "de"}, {"de-LI", "de"},
		{"zh", "zh"}, {"zh-Hans", "zh"}, {"zh-CN", "zh"}, {"zh_cn", "zh"}, {"zh-Hans-CN", "zh"},
		{"cmn", "zh"}, {"chinese", "zh"}, {"中文", "zh"},
		{"zh-Hant", "zh-Hant"}, {"zh-TW", "zh-Hant"}, {"zh_tw", "zh-Hant"}, {"zh-HK", "zh-Hant"},
		{"zh-Hant-TW", "zh-Hant"}, {"traditional chinese", "zh-Hant"}, {"繁體中文", "zh-Hant"},
		{"pt-BR", "pt"}, {"pt-PT", "pt"}, {"portuguese", "pt"}, {"português", "pt"}, {"portugues", "pt"},
		{"fil", "fil"}, {"tl", "fil"}, {"tagalog", "fil"}, {"Filipino", "fil"},
		{"no", "no"}, {"nb", "no"}, {"nob", "no"}, {"bokmål", "no"}, {"bokmal", "no"}, {"nn", "nn"},
		{"iw", "he"}, {"in", "id"}, {"ji", "yi"}, {"mo", "ro"},
		{"español", "es"}, {"espanol", "es"}, {"es-419", "es"}, {"castellano", "es"},
		{"français", "fr"}, {"francais", "fr"}, {"fr-CA", "fr"},
		{"türkçe", "tr"}, {"turkce", "tr"}, {"čeština", "cs"}, {"cestina", "cs"},
		{"Русский", "ru"}, {"русский", "ru"}, {"日本語", "ja"}, {"한국어", "ko"}, {"العربية", "ar"},
		{"farsi", "fa"}, {"per", "fa"}, {"Kiswahili", "sw"}, {"swahili", "sw"},
		{"quechua", "quz"}, {"qu", "quz"}, {"Runasimi", "quz"}, {"maori", "mi"}, {"māori", "mi"},
		{"sr", "sr"}, {"sr-Cyrl", "sr"}, {"sr-Latn", "sr-Latn"}, {"sr_latn", "sr-Latn"},
		{"bahasa indonesia", "id"}, {"Bahasa  Indonesia", "id"}, {"bangla", "bn"},
	}
	for _, tt := range tests {
		got, err := LookupLanguage(tt.in)
		if err != nil {
			t.Errorf("LookupLanguage(%q): %v", tt.in, err)
			continue
		}
		if got.Tag != tt.want {
			t.Errorf("LookupLanguage(%q) = %s, want %s", tt.in, got.Tag, tt.want)
		}
	}
}

func TestLookupLanguageAliasesResolveToTheirEntry(t *testing.T) {
	// An explicit alias shadowed by another entry's name or code would
	// silently send users to the wrong language.
	for _, e := range langTable {
		for _, a := range e.aliases {
			got, err := LookupLanguage(a)
			if err != nil || got.Tag != e.lang.Tag {
				t.Errorf("alias %q of %s resolves to %v (%v)", a, e.lang.Tag, got.Tag, err)
			}
		}
		for _, name := range []string{e.lang.English, e.lang.Native} {
			got, err := LookupLanguage(name)
			// Two entries may share a name only when one is a script variant
			// of the other (Serbian Cyrillic/Latin); the first entry wins.
			if err != nil || (got.Tag != e.lang.Tag && !strings.HasPrefix(e.lang.Tag, got.Tag+"-")) {
				t.Errorf("name %q of %s resolves to %v (%v)", name, e.lang.Tag, got.Tag, err)
			}
		}
	}
}

func TestLookupLanguageUnknown(t *testing.T) {
	tests := []struct {
		in      string
		suggest []string // leading suggestions, in order
		msg     string   // substring of the message
	}{
		{"germna", []string{"de"}, `caption: unknown language "germna"; did you mean de (German)?`},
		{"deutch", []string{"de"}, "did you mean de (German)"},
		{"frnech", []string{"fr"}, "fr (French)"},
		{"portugu", []string{"pt"}, "pt (Portuguese)"},
		{"jpn-x-foo-bar-baz-qux", nil, "unknown language"},
		{"swahli", []string{"sw"}, "sw (Swahili)"},
		{"qq", nil, `unknown language "qq"`},
		{"xyzzyplugh", nil, "use a BCP-47 code such as de"},
		{"", nil, `unknown language ""`},
	}
	for _, tt := range tests {
		_, err := LookupLanguage(tt.in)
		if err == nil {
			t.Errorf("LookupLanguage(%q) succeeded", tt.in)
			continue
		}
		if !errors.Is(err, ErrUnknownLanguage) {
			t.Errorf("LookupLanguage(%q) error %v is not ErrUnknownLanguage", tt.in, err)
		}
		var ue *UnknownLanguageError
		if !errors.As(err, &ue) {
			t.Fatalf("LookupLanguage(%q) error %T is not *UnknownLanguageError", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("LookupLanguage(%q) = %q, want it to contain %q", tt.in, err, tt.msg)
		}
		if len(ue.Suggestions) < len(tt.suggest) {
			t.Errorf("LookupLanguage(%q) suggests %v, want %v first", tt.in, ue.Suggestions, tt.suggest)
			continue
		}
		for i, s := range tt.suggest {
			if ue.Suggestions[i].Tag != s {
				t.Errorf("LookupLanguage(%q) suggestion %d = %s, want %s", tt.in, i, ue.Suggestions[i].Tag, s)
			}
		}
		if len(ue.Suggestions) > 3 {
			t.Errorf("LookupLanguage(%q) made %d suggestions, want at most 3", tt.in, len(ue.Suggestions))
		}
	}
}

func TestUnknownLanguageErrorMessage(t *testing.T) {
	de, fr, es := MustLookupLanguage("de"), MustLookupLanguage("fr"), MustLookupLanguage("es")
	tests := []struct {
		sugg []Language
		want string
	}{
		{[]Language{de, fr}, `caption: unknown language "x"; did you mean de (German) or fr (French)?`},
		{[]Language{de, fr, es}, `caption: unknown language "x"; did you mean de (German), fr (French) or es (Spanish)?`},
	}
	for _, tt := range tests {
		if got := (&UnknownLanguageError{Code: "x", Suggestions: tt.sugg}).Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestParseLanguages(t *testing.T) {
	tests := []struct {
		in      string
		want    string // tags joined by space
		wantErr []string
	}{
		{"de,fr, ja", "de fr ja", nil},
		{"de fr ja", "de fr ja", nil},
		{" de , de, DE ,german", "de", nil},
		{"zh-TW,zh_CN", "zh-Hant zh", nil},
		{"Bahasa Indonesia, de", "id de", nil},
		{"", "", nil},
		{",,", "", nil},
		{"de,germna,fr,klingonx", "de fr", []string{`"germna"`, `"klingonx"`}},
	}
	for _, tt := range tests {
		got, err := ParseLanguages(tt.in)
		var tags []string
		for _, l := range got {
			tags = append(tags, l.Tag)
		}
		if strings.Join(tags, " ") != tt.want {
			t.Errorf("ParseLanguages(%q) = %v, want %s", tt.in, tags, tt.want)
		}
		if (err != nil) != (tt.wantErr != nil) {
			t.Errorf("ParseLanguages(%q) error = %v", tt.in, err)
			continue
		}
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrUnknownLanguage) {
			t.Errorf("ParseLanguages(%q) error is not ErrUnknownLanguage", tt.in)
		}
		for _, w := range tt.wantErr {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseLanguages(%q) error %q lacks %s", tt.in, err, w)
			}
		}
	}
}

func TestLanguageDisplay(t *testing.T) {
	tests := []struct{ tag, want string }{
		{"sw", "Swahili (Kiswahili)"}, {"en", "English"}, {"af", "Afrikaans"}, {"de", "German (Deutsch)"},
		{"zh", "Chinese (Simplified) (简体中文)"},
	}
	for _, tt := range tests {
		if got := MustLookupLanguage(tt.tag).Display(); got != tt.want {
			t.Errorf("%s.Display() = %q, want %q", tt.tag, got, tt.want)
		}
	}
	if s := MustLookupLanguage("de").String(); s != "de" {
		t.Errorf("String() = %q", s)
	}
	if !(Language{}).IsZero() || MustLookupLanguage("de").IsZero() {
		t.Error("IsZero wrong")
	}
}

func TestMustLookupLanguagePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustLookupLanguage(unknown) did not panic")
		}
	}()
	MustLookupLanguage("germna")
}

func TestLangDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"de", "de", 0}, {"germna", "german", 1}, {"deutch", "deutsch", 1},
		{"kitten", "sitting", 3}, {"", "abc", 3}, {"русский", "руский", 1}, {"ab", "ba", 1},
	}
	for _, tt := range tests {
		if got := langDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("langDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLangUpperFirst(t *testing.T) {
	tests := []struct{ tag, in, want string }{
		{"en", "a dog", "A dog"},
		{"tr", "iki çocuk", "İki çocuk"},
		{"az", "iki uşaq", "İki uşaq"},
		{"nl", "ijsjes op een rij", "IJsjes op een rij"},
		{"en", "iPhone on a desk", "iPhone on a desk"},
		{"ru", "собака на траве", "Собака на траве"},
		{"el", "ένας σκύλος", "Ένας σκύλος"},
		{"en", "Already capital", "Already capital"},
		{"en", "3 dogs", "3 dogs"},
		{"en", "", ""},
	}
	for _, tt := range tests {
		if got := langUpperFirst(tt.in, MustLookupLanguage(tt.tag)); got != tt.want {
			t.Errorf("langUpperFirst(%q, %s) = %q, want %q", tt.in, tt.tag, got, tt.want)
		}
	}
}
