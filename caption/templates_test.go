package caption

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// tmplTestVars supplies a value for every placeholder a mode takes, each
// distinct so that a test can see where it landed.
func tmplTestVars(mode Mode) map[string]string {
	all := map[string]string{
		"words": "7", "position": "POS", "global": "GLOBAL", "tiles": "TILES",
		"source_language": "SRC", "text": "TEXT", "question": "QUESTION?",
	}
	vars := map[string]string{}
	for _, k := range tmplRequired[string(mode)] {
		vars[k] = all[k]
	}
	return vars
}

// nativeMarkers is, per language with native templates, a word that names
// the language in the language itself; every prompt must contain one of
// them (case-insensitively), so no prompt leaves the target language open.
var nativeMarkers = map[string][]string{
	"en": {"English"}, "de": {"Deutsch"}, "fr": {"français"}, "es": {"español"}, "it": {"italiano"},
	"pt": {"português"}, "nl": {"Nederlands"}, "da": {"dansk"}, "sv": {"svenska"}, "no": {"norsk"},
	"fi": {"suomeksi"}, "pl": {"polsk"}, "cs": {"česky", "češtin"}, "hr": {"hrvatsk"}, "hu": {"magyar"},
	"ro": {"română"}, "tr": {"Türkçe"}, "id": {"bahasa Indonesia"}, "vi": {"tiếng Việt"},
	"fil": {"Filipino"}, "sw": {"Kiswahili"}, "mi": {"reo Māori"}, "quz": {"runasimi"},
	"ru": {"русск"}, "uk": {"українськ"}, "el": {"ελληνικά"}, "ar": {"العربية"}, "fa": {"فارسی"},
	"he": {"עברית"}, "hi": {"हिंदी"}, "bn": {"বাংলা"}, "te": {"తెలుగు"}, "th": {"ภาษาไทย"},
	"zh": {"中文"}, "zh-Hant": {"繁體中文"}, "ja": {"日本語"}, "ko": {"한국어"},
}

func TestDefaultTemplatesRenderEveryLanguageAndMode(t *testing.T) {
	tm := DefaultTemplates()
	for _, lang := range Languages() {
		markers := nativeMarkers[lang.Tag]
		if markers == nil {
			markers = []string{lang.English}
		}
		check := func(what, p string) {
			t.Helper()
			if strings.ContainsAny(p, "{}") {
				t.Errorf("%s %s: unrendered brace in %q", lang.Tag, what, p)
			}
			low := strings.ToLower(p)
			ok := false
			for _, m := range markers {
				ok = ok || strings.Contains(low, strings.ToLower(m))
			}
			if !ok {
				t.Errorf("%s %s: prompt does not name the language (%v): %q", lang.Tag, what, markers, p)
			}
		}
		for _, mode := range Modes() {
			vars := tmplTestVars(mode)
			p, err := tm.Render(lang, mode, vars)
			if err != nil {
				t.Errorf("Render(%s, %s): %v", lang.Tag, mode, err)
				continue
			}
			check(string(mode), p)
			for k, v := range vars {
				if !strings.Contains(p, v) {
					t.Errorf("Render(%s, %s) lost {%s}: %q", lang.Tag, mode, k, p)
				}
			}
			s, err := tm.RenderStrict(lang, mode, vars)
			if err != nil {
				t.Errorf("RenderStrict(%s, %s): %v", lang.Tag, mode, err)
				continue
			}
			check(string(mode)+" strict", s)
			if !strings.Contains(s, p) || len(s) <= len(p) {
				t.Errorf("RenderStrict(%s, %s) does not extend the prompt: %q", lang.Tag, mode, s)
			}
		}
		c, err := tm.RenderCustom(lang, "List the animals.")
		if err != nil {
			t.Errorf("RenderCustom(%s): %v", lang.Tag, err)
		} else {
			check("custom", c)
			if !strings.HasPrefix(c, "List the animals.") {
				t.Errorf("RenderCustom(%s) = %q, want the instruction first", lang.Tag, c)
			}
		}
		for _, name := range tilePositions {
			c, ok := tm.lookup(lang, tmplKeyPosition+name)
			if !ok || strings.TrimSpace(c.src) == "" || strings.ContainsAny(c.src, "{}\n") {
				t.Errorf("%s: bad position name %s = %q", lang.Tag, name, c.src)
			}
		}
	}
}

func TestDefaultTemplatesNativeCoverage(t *testing.T) {
	tm := DefaultTemplates()
	for _, tag := range append(append([]string{}, langXM3600...), "zh-Hant") {
		lang := MustLookupLanguage(tag)
		for _, key := range tmplKeys() {
			if _, ok := tm.sections[lang.Tag][key]; !ok {
				t.Errorf("%s has no native %s template", tag, key)
			}
		}
		if !tm.Native(lang, ModeBrief) {
			t.Errorf("Native(%s, brief) = false", tag)
		}
	}
	if tm.Native(MustLookupLanguage("af"), ModeBrief) {
		t.Error("Native(af, brief) = true; af uses the English fallback")
	}
	// Native prompts are written in their own script: a copy-paste of
	// another language's text would show up here.
	for tag := range nativeMarkers {
		lang := MustLookupLanguage(tag)
		p, _ := tm.Render(lang, ModeDetailed, nil)
		c := countScripts(p)
		if sh := c.share(lang.Script); sh < 0.9 {
			t.Errorf("%s detailed prompt is only %.0f%% %s script: %q", tag, 100*sh, lang.Script, p)
		}
	}
}

// TestToyTemplatesShortAndPlain keeps the prompts the toy model learns
// exactly to one plain line each.
func TestToyTemplatesShortAndPlain(t *testing.T) {
	tm := DefaultTemplates()
	for _, tag := range langToyTags {
		lang := MustLookupLanguage(tag)
		for _, mode := range []Mode{ModeBrief, ModeRegion} {
			p, err := tm.Render(lang, mode, tmplTestVars(mode))
			if err != nil {
				t.Fatal(err)
			}
			words := len(strings.Fields(p))
			cjk := 0
			for _, r := range p {
				if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
					cjk++
				}
			}
			if words > 15 || cjk > 25 || strings.ContainsAny(p, "\n():：（）") {
				t.Errorf("%s %s prompt is not short and plain: %q", tag, mode, p)
			}
		}
	}
}

// TestToyTemplatesHashPinned fails when a prompt of a toy-model language
// changes, so that the change is made deliberately: update this value and
// the toy model's recorded hash (and retrain it) together.
func TestToyTemplatesHashPinned(t *testing.T) {
	var langs []Language
	for _, tag := range langToyTags {
		langs = append(langs, MustLookupLanguage(tag))
	}
	const want = "1423ef9befd722fef76349bbf027727aee26c7c8d8d14eb33ffb0f7655731333"
	if got := DefaultTemplates().Hash([]Mode{ModeBrief, ModeRegion}, langs...); got != want {
		t.Errorf("toy template hash = %s, want %s", got, want)
	}
}

func TestTemplatesHash(t *testing.T) {
	de, fr := MustLookupLanguage("de"), MustLookupLanguage("fr")
	base := TemplatesHash(de, fr)
	if len(base) != 64 {
		t.Fatalf("hash %q is not hex SHA-256", base)
	}
	if TemplatesHash(fr, de, fr) != base {
		t.Error("hash depends on language order or duplicates")
	}
	if TemplatesHash(de) == base {
		t.Error("hash ignores a language")
	}
	if DefaultTemplates().Hash([]Mode{ModeBrief}, de, fr) == base {
		t.Error("hash ignores the mode selection")
	}
	if TemplatesHash() != DefaultTemplates().Hash(nil, Languages()...) {
		t.Error("TemplatesHash() is not the hash over all languages")
	}
	over, err := ReadTemplates(strings.NewReader("[de]\nbrief = Beschreibe das Bild kurz auf Deutsch.\n"), "t")
	if err != nil {
		t.Fatal(err)
	}
	if over.Hash(nil, de, fr) == base {
		t.Error("hash did not change with a template")
	}
	if over.Hash(nil, fr) != TemplatesHash(fr) {
		t.Error("hash of an untouched language changed")
	}
	// The fallback names the language, so its hash differs per language.
	if TemplatesHash(MustLookupLanguage("af")) == TemplatesHash(MustLookupLanguage("sq")) {
		t.Error("fallback languages hash alike")
	}
}

func TestRenderExamples(t *testing.T) {
	tm := DefaultTemplates()
	tests := []struct {
		tag  string
		mode Mode
		vars map[string]string
		want string
	}{
		{"de", ModeBrief, nil, "Beschreibe das Bild in einem Satz auf Deutsch."},
		{"sw", ModeBrief, nil, "Eleza picha hii kwa sentensi moja kwa Kiswahili."},
		{"af", ModeBrief, nil, "Describe the image in one sentence. Answer in Afrikaans."},
		{"am", ModeBrief, nil, "Describe the image in one sentence. Answer in Amharic (አማርኛ)."},
		{"en", ModeRegion, map[string]string{"words": "5"}, "Describe this part of the image in English in at most 5 words."},
		{"ja", ModeRegion, map[string]string{"words": "10"}, "画像のこの部分を日本語で10語以内で説明してください。"},
		{"fr", ModeQuestion, map[string]string{"question": "Combien de chiens ?"}, "Réponds en français à la question suivante sur l'image.\nQuestion : Combien de chiens ?"},
		// Values are inserted verbatim, never expanded again.
		{"en", ModeQuestion, map[string]string{"question": "What does {text} say?"}, "Answer the following question about the image in English.\nQuestion: What does {text} say?"},
	}
	for _, tt := range tests {
		got, err := tm.Render(MustLookupLanguage(tt.tag), tt.mode, tt.vars)
		if err != nil || got != tt.want {
			t.Errorf("Render(%s, %s) = %q, %v; want %q", tt.tag, tt.mode, got, err, tt.want)
		}
	}
}

func TestRenderStrictPlacement(t *testing.T) {
	tm := DefaultTemplates()
	de := MustLookupLanguage("de")
	strict, err := tm.Strict(de)
	if err != nil || !strings.Contains(strict, "ausschließlich auf Deutsch") {
		t.Fatalf("Strict(de) = %q, %v", strict, err)
	}
	brief, _ := tm.RenderStrict(de, ModeBrief, nil)
	if want := "Beschreibe das Bild in einem Satz auf Deutsch. " + strict; brief != want {
		t.Errorf("strict brief = %q, want %q", brief, want)
	}
	// The question is the caller's text: the strict line must not follow it.
	q, _ := tm.RenderStrict(de, ModeQuestion, map[string]string{"question": "Wie viele Hunde?"})
	if !strings.HasPrefix(q, strict+"\n") || !strings.HasSuffix(q, "Wie viele Hunde?") {
		t.Errorf("strict question = %q", q)
	}
	c, _ := tm.RenderCustomStrict(de, "Zähle die Tiere.")
	if !strings.HasPrefix(c, "Zähle die Tiere.\nAntworte auf Deutsch.") || !strings.HasSuffix(c, strict) {
		t.Errorf("strict custom = %q", c)
	}
}

func TestRenderErrors(t *testing.T) {
	tm := DefaultTemplates()
	de := MustLookupLanguage("de")
	tests := []struct {
		name string
		lang Language
		mode Mode
		vars map[string]string
		msg  string
	}{
		{"missing", de, ModeRegion, nil, "missing value for {words}"},
		{"unexpected", de, ModeBrief, map[string]string{"words": "5"}, `unexpected variable "words"`},
		{"typo", de, ModeRegion, map[string]string{"word": "5"}, `unexpected variable "word"`},
		{"language", de, ModeBrief, map[string]string{"language": "x"}, "{language} is set from the language"},
		{"mode", de, Mode("poem"), nil, "unknown mode"},
		{"custom as mode", de, Mode("custom"), map[string]string{"instruction": "x"}, "unknown mode"},
		{"no language", Language{}, ModeBrief, nil, "no language given"},
	}
	for _, tt := range tests {
		_, err := tm.Render(tt.lang, tt.mode, tt.vars)
		if err == nil || !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: err = %v, want ErrTemplate containing %q", tt.name, err, tt.msg)
		}
	}
	if _, err := tm.RenderCustom(de, "  "); !errors.Is(err, ErrTemplate) {
		t.Errorf("RenderCustom(empty) err = %v", err)
	}
}

func TestReadTemplatesErrors(t *testing.T) {
	tests := []struct{ name, src, msg string }{
		{"unknown placeholder", "[de]\nregion = Beschreibe in {wrods} Wörtern auf Deutsch.", "t:2: unknown placeholder {wrods} in region; allowed: {language}, {words}"},
		{"placeholder not allowed in mode", "[de]\nbrief = Beschreibe {words} auf Deutsch.", "unknown placeholder {words} in brief"},
		{"required missing", "[de]\nregion = Beschreibe kurz auf Deutsch.", "region must contain {words}"},
		{"merge needs tiles", "[*]\nmerge = Merge {global} in {language}.", "merge must contain {tiles}"},
		{"unknown key", "[de]\nbrif = Beschreibe.", `t:2: unknown key "brif"`},
		{"unknown language", "[germna]\nbrief = x", `t:1: unknown language "germna"; did you mean de (German)?`},
		{"no section", "brief = x", "before the first [language] section"},
		{"bad header", "[de\nbrief = x", "must end with ]"},
		{"no equals", "[de]\nbrief Beschreibe", `want "key = text"`},
		{"twice", "[de]\nbrief = a\nbrief = b", "brief is set twice in [de]"},
		{"twice by alias", "[de]\nbrief = a\n[german]\nbrief = b", "brief is set twice in [de]"},
		{"empty", "[de]\nbrief =", "brief is empty"},
		{"unclosed brace", "[de]\nbrief = a {language", "unclosed {"},
		{"stray brace", "[de]\nbrief = a } b", "unmatched }"},
		{"bad name", "[de]\nregion = {Words} {words}", "bad placeholder {Words}"},
		{"bad escape", `[de]` + "\n" + `brief = a\tb`, `unknown escape \t`},
		{"trailing backslash", "[de]\nbrief = a\\", `lone \`},
		{"position placeholder", "[de]\nposition.top = {language}", "allowed: none"},
	}
	for _, tt := range tests {
		_, err := ReadTemplates(strings.NewReader(tt.src), "t")
		if err == nil || !errors.Is(err, ErrTemplate) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: err = %v, want ErrTemplate containing %q", tt.name, err, tt.msg)
		}
	}
}

func TestLoadTemplatesOverridesDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.txt")
	src := "\ufeff# my prompts\n\n[German]\nbrief = Ein Satz auf Deutsch, bitte.\nmerge = {{Bild}}: {global}\\n{tiles}\\\\ auf Deutsch\n\n[*]\nbrief = One sentence, in {language}!\n\n[af]\nposition.top = bo\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	tm, err := LoadTemplates(path)
	if err != nil {
		t.Fatal(err)
	}
	de, af, fr := MustLookupLanguage("de"), MustLookupLanguage("af"), MustLookupLanguage("fr")
	tests := []struct {
		lang Language
		mode Mode
		vars map[string]string
		want string
	}{
		{de, ModeBrief, nil, "Ein Satz auf Deutsch, bitte."},
		{de, ModeMerge, map[string]string{"global": "G", "tiles": "T"}, "{Bild}: G\nT\\ auf Deutsch"},
		{de, ModeDetailed, nil, tmplMustRender(t, DefaultTemplates(), de, ModeDetailed)},
		{af, ModeBrief, nil, "One sentence, in Afrikaans!"},
		{fr, ModeBrief, nil, "Décris l'image en une phrase, en français."},
	}
	for _, tt := range tests {
		if got, err := tm.Render(tt.lang, tt.mode, tt.vars); err != nil || got != tt.want {
			t.Errorf("Render(%s, %s) = %q, %v; want %q", tt.lang, tt.mode, got, err, tt.want)
		}
	}
	if got := tm.Position(af, 0, 1, 3, 3); got != "bo" {
		t.Errorf("overridden position = %q", got)
	}
	// The defaults themselves are untouched.
	if got := tmplMustRender(t, DefaultTemplates(), de, ModeBrief); got != "Beschreibe das Bild in einem Satz auf Deutsch." {
		t.Errorf("defaults changed: %q", got)
	}
	if _, err := LoadTemplates(filepath.Join(t.TempDir(), "missing.txt")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadTemplates(missing) err = %v", err)
	}
}

func tmplMustRender(t *testing.T, tm *Templates, lang Language, mode Mode) string {
	t.Helper()
	s, err := tm.Render(lang, mode, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPosition(t *testing.T) {
	tm := DefaultTemplates()
	en, de := MustLookupLanguage("en"), MustLookupLanguage("de")
	tests := []struct {
		row, col, rows, cols int
		en, de               string
	}{
		{0, 0, 2, 2, "top left", "oben links"},
		{0, 1, 2, 2, "top right", "oben rechts"},
		{1, 0, 2, 2, "bottom left", "unten links"},
		{1, 1, 2, 2, "bottom right", "unten rechts"},
		{1, 1, 3, 3, "centre", "Mitte"},
		{0, 1, 3, 3, "top", "oben"},
		{2, 1, 3, 3, "bottom", "unten"},
		{1, 0, 3, 3, "left", "links"},
		{0, 0, 1, 1, "centre", "Mitte"},
		{0, 2, 1, 3, "right", "rechts"},
		{1, 3, 4, 4, "right", "rechts"},
		{3, 0, 4, 4, "bottom left", "unten links"},
		{5, 5, 2, 2, "centre", "Mitte"},
	}
	for _, tt := range tests {
		if got := tm.Position(en, tt.row, tt.col, tt.rows, tt.cols); got != tt.en {
			t.Errorf("Position(en, %d,%d of %dx%d) = %q, want %q", tt.row, tt.col, tt.rows, tt.cols, got, tt.en)
		}
		if got := tm.Position(de, tt.row, tt.col, tt.rows, tt.cols); got != tt.de {
			t.Errorf("Position(de, %d,%d of %dx%d) = %q, want %q", tt.row, tt.col, tt.rows, tt.cols, got, tt.de)
		}
	}
}

func TestParseMode(t *testing.T) {
	for _, m := range Modes() {
		if got, err := ParseMode(strings.ToUpper(string(m))); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %q, %v", m, got, err)
		}
	}
	if _, err := ParseMode("custom"); err == nil || !strings.Contains(err.Error(), "brief, detailed") {
		t.Errorf("ParseMode(custom) err = %v", err)
	}
}

func TestTmplSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []tmplSeg
	}{
		{"a {b} c", []tmplSeg{{lit: "a "}, {name: "b"}, {lit: " c"}}},
		{"{{x}}", []tmplSeg{{lit: "{x}"}}},
		{"{a}{b}", []tmplSeg{{name: "a"}, {name: "b"}}},
		{"plain", []tmplSeg{{lit: "plain"}}},
	}
	for _, tt := range tests {
		got, err := tmplSplit(tt.in)
		if err != nil || len(got) != len(tt.want) {
			t.Errorf("tmplSplit(%q) = %v, %v", tt.in, got, err)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("tmplSplit(%q)[%d] = %+v, want %+v", tt.in, i, got[i], tt.want[i])
			}
		}
	}
}
