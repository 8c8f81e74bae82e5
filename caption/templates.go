package caption

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
)

// Mode selects what a prompt asks the model for.
type Mode string

// The prompt modes. Each has one template per language; see the package
// documentation for the placeholders each accepts.
const (
	ModeBrief     Mode = "brief"     // one sentence
	ModeDetailed  Mode = "detailed"  // one paragraph
	ModeRegion    Mode = "region"    // a cropped region within a word budget: {words}
	ModeTile      Mode = "tile"      // one tile of a larger image, told where it lies: {position}
	ModeMerge     Mode = "merge"     // fuse a global caption {global} with tile captions {tiles}
	ModeTranslate Mode = "translate" // translate {text} from {source_language}, text only
	ModeQuestion  Mode = "question"  // answer {question} about the image
)

// Modes returns all modes in a fixed order.
func Modes() []Mode {
	return []Mode{ModeBrief, ModeDetailed, ModeRegion, ModeTile, ModeMerge, ModeTranslate, ModeQuestion}
}

// ParseMode turns a name such as "brief" (any case) into a Mode.
func ParseMode(s string) (Mode, error) {
	m := Mode(strings.ToLower(strings.TrimSpace(s)))
	if slices.Contains(Modes(), m) {
		return m, nil
	}
	names := make([]string, 0, 7)
	for _, m := range Modes() {
		names = append(names, string(m))
	}
	return "", fmt.Errorf("caption: unknown mode %q; use one of %s", s, strings.Join(names, ", "))
}

// Template keys besides the modes.
const (
	tmplKeyCustom   = "custom"    // {instruction} plus the target-language statement
	tmplKeyStrict   = "strict"    // the stronger language instruction for a retry
	tmplKeyPosition = "position." // prefix of the nine tile position names
)

// tilePositions are the names of the nine coarse positions a tile can have,
// as used in template keys (position.top-left, ...).
var tilePositions = []string{
	"top-left", "top", "top-right",
	"left", "center", "right",
	"bottom-left", "bottom", "bottom-right",
}

// tmplLangVar is filled in from the target language by every render: its
// Display name ("Swahili (Kiswahili)"). Native templates need not use it.
const tmplLangVar = "language"

// tmplRequired lists, per key, the placeholders the caller supplies; each
// must appear in the template, so that a value never goes missing silently.
var tmplRequired = map[string][]string{
	string(ModeBrief):     nil,
	string(ModeDetailed):  nil,
	string(ModeRegion):    {"words"},
	string(ModeTile):      {"position"},
	string(ModeMerge):     {"global", "tiles"},
	string(ModeTranslate): {"source_language", "text"},
	string(ModeQuestion):  {"question"},
	tmplKeyCustom:         {"instruction"},
	tmplKeyStrict:         nil,
}

// tmplKeys returns every template key in a fixed order.
func tmplKeys() []string {
	keys := make([]string, 0, 18)
	for _, m := range Modes() {
		keys = append(keys, string(m))
	}
	keys = append(keys, tmplKeyCustom, tmplKeyStrict)
	for _, p := range tilePositions {
		keys = append(keys, tmplKeyPosition+p)
	}
	return keys
}

// tmplFallback names the section whose templates serve languages that have
// none of their own; they state the language through {language}.
const tmplFallback = "*"

// ErrTemplate is matched (errors.Is) by every *TemplateError.
var ErrTemplate = errors.New("caption: template error")

// TemplateError reports a bad template file line, or a render call whose
// variables do not fit the template.
type TemplateError struct {
	Where string // "file.txt:12" for files, "de/region" for renders
	Msg   string
}

func (e *TemplateError) Error() string { return "caption: templates: " + e.Where + ": " + e.Msg }

// Is makes errors.Is(err, ErrTemplate) true.
func (e *TemplateError) Is(target error) bool { return target == ErrTemplate }

// tmplSeg is one piece of a compiled template: literal text, or (when name
// is set) a placeholder.
type tmplSeg struct {
	lit, name string
}

type tmplCompiled struct {
	src  string
	segs []tmplSeg
}

// Templates holds the prompt templates of every language. A Templates is
// immutable once built and safe for concurrent use.
type Templates struct {
	// sections maps a language tag, or tmplFallback, to its templates by key.
	sections map[string]map[string]tmplCompiled
}

//go:embed templates/*.txt
var tmplFS embed.FS

var (
	defaultTmplOnce sync.Once
	defaultTmpl     *Templates
)

// DefaultTemplates returns the built-in templates (the files under
// templates/ in this package, embedded at build time).
func DefaultTemplates() *Templates {
	defaultTmplOnce.Do(func() {
		t := &Templates{sections: map[string]map[string]tmplCompiled{}}
		files, err := fs.Glob(tmplFS, "templates/*.txt")
		if err != nil {
			panic(err)
		}
		for _, name := range files {
			data, err := tmplFS.ReadFile(name)
			if err != nil {
				panic(err)
			}
			// The embedded data is validated by the package tests; a failure
			// here is a build of broken data, not a run-time condition.
			if err := t.merge(bytes.NewReader(data), name); err != nil {
				panic(err)
			}
		}
		if err := t.checkComplete(); err != nil {
			panic(err)
		}
		defaultTmpl = t
	})
	return defaultTmpl
}

// LoadTemplates reads a template file (the format of the built-in files:
// see the package documentation) and returns the defaults with the file's
// templates laid over them. Keys the file does not set keep their defaults.
func LoadTemplates(path string) (*Templates, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("caption: load templates: %w", err)
	}
	defer f.Close()
	return ReadTemplates(f, path)
}

// ReadTemplates is LoadTemplates for a reader; name labels error messages.
func ReadTemplates(r io.Reader, name string) (*Templates, error) {
	t := DefaultTemplates().clone()
	if err := t.merge(r, name); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Templates) clone() *Templates {
	c := &Templates{sections: make(map[string]map[string]tmplCompiled, len(t.sections))}
	for tag, sec := range t.sections {
		m := make(map[string]tmplCompiled, len(sec))
		for k, v := range sec {
			m[k] = v
		}
		c.sections[tag] = m
	}
	return c
}

// merge parses one file and lays it over t.
func (t *Templates) merge(r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	section := ""
	seen := map[string]bool{}
	for line := 1; sc.Scan(); line++ {
		where := fmt.Sprintf("%s:%d", name, line)
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		switch {
		case text == "" || strings.HasPrefix(text, "#"):
			continue
		case strings.HasPrefix(text, "["):
			if !strings.HasSuffix(text, "]") {
				return &TemplateError{where, "section header must end with ]"}
			}
			s := strings.TrimSpace(text[1 : len(text)-1])
			if s != tmplFallback {
				l, err := LookupLanguage(s)
				if err != nil {
					return &TemplateError{where, strings.TrimPrefix(err.Error(), "caption: ")}
				}
				s = l.Tag
			}
			section = s
			continue
		}
		if section == "" {
			return &TemplateError{where, "template line before the first [language] section"}
		}
		key, val, ok := strings.Cut(text, "=")
		if !ok {
			return &TemplateError{where, `want "key = text"`}
		}
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !slices.Contains(tmplKeys(), key) {
			return &TemplateError{where, fmt.Sprintf("unknown key %q; keys are %s", key, strings.Join(tmplKeys(), ", "))}
		}
		if seen[section+"\x00"+key] {
			return &TemplateError{where, fmt.Sprintf("%s is set twice in [%s]", key, section)}
		}
		seen[section+"\x00"+key] = true
		c, err := tmplCompile(key, val)
		if err != nil {
			return &TemplateError{where, err.Error()}
		}
		if t.sections[section] == nil {
			t.sections[section] = map[string]tmplCompiled{}
		}
		t.sections[section][key] = c
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("caption: read templates %s: %w", name, err)
	}
	return nil
}

// checkComplete makes sure the fallback section can serve every key, so
// that any registry language renders in every mode.
func (t *Templates) checkComplete() error {
	for _, k := range tmplKeys() {
		if _, ok := t.sections[tmplFallback][k]; !ok {
			return &TemplateError{"[*]", fmt.Sprintf("the fallback section lacks %s", k)}
		}
	}
	return nil
}

// tmplCompile unescapes a file value (\n and \\) and splits it into literal
// text and placeholders, checking the placeholders against the key.
func tmplCompile(key, val string) (tmplCompiled, error) {
	var b strings.Builder
	for i := 0; i < len(val); i++ {
		c := val[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(val) {
			return tmplCompiled{}, errors.New(`a line may not end in a lone \`)
		}
		i++
		switch val[i] {
		case 'n':
			b.WriteByte('\n')
		case '\\':
			b.WriteByte('\\')
		default:
			return tmplCompiled{}, fmt.Errorf(`unknown escape \%c; only \n and \\ exist`, val[i])
		}
	}
	src := b.String()
	if src == "" {
		return tmplCompiled{}, fmt.Errorf("%s is empty", key)
	}
	segs, err := tmplSplit(src)
	if err != nil {
		return tmplCompiled{}, err
	}
	allowed := tmplAllowed(key)
	used := map[string]bool{}
	for _, s := range segs {
		if s.name == "" {
			continue
		}
		if !slices.Contains(allowed, s.name) {
			return tmplCompiled{}, fmt.Errorf("unknown placeholder {%s} in %s; allowed: %s", s.name, key, tmplList(allowed))
		}
		used[s.name] = true
	}
	for _, r := range tmplRequired[key] {
		if !used[r] {
			return tmplCompiled{}, fmt.Errorf("%s must contain {%s}", key, r)
		}
	}
	return tmplCompiled{src: src, segs: segs}, nil
}

// tmplAllowed lists the placeholders a key may use. Position names are
// plain phrases.
func tmplAllowed(key string) []string {
	if strings.HasPrefix(key, tmplKeyPosition) {
		return nil
	}
	return append([]string{tmplLangVar}, tmplRequired[key]...)
}

func tmplList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	var parts []string
	for _, n := range names {
		parts = append(parts, "{"+n+"}")
	}
	return strings.Join(parts, ", ")
}

// tmplSplit parses {name} placeholders; {{ and }} stand for literal braces,
// and any other brace is an error, so a typo cannot pass as text.
func tmplSplit(src string) ([]tmplSeg, error) {
	var (
		segs []tmplSeg
		lit  strings.Builder
	)
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '{' && i+1 < len(src) && src[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(src) && src[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '}':
			return nil, errors.New("unmatched } (write }} for a literal brace)")
		case c == '{':
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				return nil, errors.New("unclosed { (write {{ for a literal brace)")
			}
			name := src[i+1 : i+end]
			if !tmplValidName(name) {
				return nil, fmt.Errorf("bad placeholder {%s}; names are lower-case letters and _", name)
			}
			if lit.Len() > 0 {
				segs = append(segs, tmplSeg{lit: lit.String()})
				lit.Reset()
			}
			segs = append(segs, tmplSeg{name: name})
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		segs = append(segs, tmplSeg{lit: lit.String()})
	}
	return segs, nil
}

func tmplValidName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// lookup resolves a key for a language: its own section, else the fallback.
func (t *Templates) lookup(lang Language, key string) (tmplCompiled, bool) {
	if c, ok := t.sections[lang.Tag][key]; ok {
		return c, true
	}
	c, ok := t.sections[tmplFallback][key]
	return c, ok
}

// Native reports whether lang has its own templates (instructions written in
// the language) for mode, rather than the English fallback.
func (t *Templates) Native(lang Language, mode Mode) bool {
	_, ok := t.sections[lang.Tag][string(mode)]
	return ok
}

// Render fills the template of lang and mode. vars supplies the mode's
// placeholders (words, position, global and tiles, source_language and text,
// question); {language} comes from lang. A missing or unexpected variable
// is an error. Values are inserted as they are, never expanded again.
func (t *Templates) Render(lang Language, mode Mode, vars map[string]string) (string, error) {
	if lang.IsZero() {
		return "", &TemplateError{string(mode), "no language given"}
	}
	if _, ok := tmplRequired[string(mode)]; !ok || mode == tmplKeyCustom || mode == tmplKeyStrict {
		return "", &TemplateError{lang.Tag + "/" + string(mode), "unknown mode"}
	}
	return t.render(lang, string(mode), vars)
}

// RenderStrict is Render with the language's strict instruction added, for
// a retry after the model answered in the wrong language. The instruction
// goes last, where models heed it most, except when the prompt ends with
// caller text (a question, a text to translate, tile captions): then it goes
// first, so it cannot be read as part of that text.
func (t *Templates) RenderStrict(lang Language, mode Mode, vars map[string]string) (string, error) {
	p, err := t.Render(lang, mode, vars)
	if err != nil {
		return "", err
	}
	c, _ := t.lookup(lang, string(mode))
	return t.addStrict(lang, c, p)
}

// RenderCustom wraps a caller's own instruction with the statement of the
// target language ("{instruction}\nAntworte auf Deutsch."), so that custom
// prompts keep the language as firmly as the built-in ones.
func (t *Templates) RenderCustom(lang Language, instruction string) (string, error) {
	if strings.TrimSpace(instruction) == "" {
		return "", &TemplateError{lang.Tag + "/custom", "empty instruction"}
	}
	return t.render(lang, tmplKeyCustom, map[string]string{"instruction": strings.TrimSpace(instruction)})
}

// RenderCustomStrict is RenderCustom with the strict instruction added.
func (t *Templates) RenderCustomStrict(lang Language, instruction string) (string, error) {
	p, err := t.RenderCustom(lang, instruction)
	if err != nil {
		return "", err
	}
	c, _ := t.lookup(lang, tmplKeyCustom)
	return t.addStrict(lang, c, p)
}

func (t *Templates) addStrict(lang Language, c tmplCompiled, prompt string) (string, error) {
	strict, err := t.render(lang, tmplKeyStrict, nil)
	if err != nil {
		return "", err
	}
	sep := " "
	if strings.Contains(prompt, "\n") {
		sep = "\n"
	}
	last := c.segs[len(c.segs)-1]
	if last.name != "" && last.name != tmplLangVar {
		return strict + sep + prompt, nil
	}
	return prompt + sep + strict, nil
}

// Strict returns the language's strict instruction alone.
func (t *Templates) Strict(lang Language) (string, error) {
	return t.render(lang, tmplKeyStrict, nil)
}

// Position names a tile for the {position} placeholder in lang: the cell at
// row, col of a rows × cols grid is placed in one of nine coarse areas (top
// left ... bottom right) by where its centre falls.
func (t *Templates) Position(lang Language, row, col, rows, cols int) string {
	third := func(i, n int) int { // 0, 1 or 2
		if n <= 1 || i < 0 || i >= n {
			return 1
		}
		c := float64(2*i+1) / float64(2*n)
		switch {
		case c < 1.0/3:
			return 0
		case c > 2.0/3:
			return 2
		}
		return 1
	}
	name := tilePositions[3*third(row, rows)+third(col, cols)]
	c, _ := t.lookup(lang, tmplKeyPosition+name)
	return c.src
}

func (t *Templates) render(lang Language, key string, vars map[string]string) (string, error) {
	where := lang.Tag + "/" + key
	c, ok := t.lookup(lang, key)
	if !ok {
		return "", &TemplateError{where, "no template"}
	}
	for k := range vars {
		if k == tmplLangVar {
			return "", &TemplateError{where, "{language} is set from the language and cannot be passed"}
		}
		if !slices.Contains(tmplRequired[key], k) {
			return "", &TemplateError{where, fmt.Sprintf("unexpected variable %q; %s takes %s", k, key, tmplList(tmplRequired[key]))}
		}
	}
	var b strings.Builder
	for _, s := range c.segs {
		switch {
		case s.name == "":
			b.WriteString(s.lit)
		case s.name == tmplLangVar:
			b.WriteString(lang.Display())
		default:
			v, ok := vars[s.name]
			if !ok {
				return "", &TemplateError{where, fmt.Sprintf("missing value for {%s}", s.name)}
			}
			b.WriteString(v)
		}
	}
	return b.String(), nil
}

// Hash returns a stable SHA-256 (hex) of the templates that langs would be
// prompted with in the given modes (nil modes: every key, including custom,
// strict and the position names). The language name is filled in and the
// other placeholders are kept as {name}, so the hash changes exactly when a
// prompt a model sees would change. The order of langs does not matter.
// A model trained on fixed prompts records this hash; its test fails when
// the prompts drift from the ones it learned.
func (t *Templates) Hash(modes []Mode, langs ...Language) string {
	keys := tmplKeys()
	if modes != nil {
		keys = keys[:0]
		for _, m := range modes {
			keys = append(keys, string(m))
		}
	}
	if len(langs) == 0 {
		langs = Languages()
	}
	tags := make([]Language, len(langs))
	copy(tags, langs)
	slices.SortFunc(tags, func(a, b Language) int { return strings.Compare(a.Tag, b.Tag) })
	tags = slices.Compact(tags)
	h := sha256.New()
	for _, l := range tags {
		for _, k := range keys {
			c, ok := t.lookup(l, k)
			if !ok {
				fmt.Fprintf(h, "%s\x00%s\x00-\x00", l.Tag, k)
				continue
			}
			var b strings.Builder
			for _, s := range c.segs {
				switch {
				case s.name == "":
					b.WriteString(s.lit)
				case s.name == tmplLangVar:
					b.WriteString(l.Display())
				default:
					b.WriteString("{" + s.name + "}")
				}
			}
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00", l.Tag, k, b.String())
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TemplatesHash is DefaultTemplates().Hash over every key for langs.
func TemplatesHash(langs ...Language) string {
	return DefaultTemplates().Hash(nil, langs...)
}
