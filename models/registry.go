package models

import (
	"fmt"
	"sort"
	"strings"
)

// File is one published GGUF file.
type File struct {
	Name string // file name in the repository
	// Size in bytes as publicly listed; 0 when unknown. Informational:
	// progress uses it before the server answers.
	Size int64
	// SHA256 is the expected checksum (hex); "" when unknown.
	SHA256 string
}

// Entry is a known model pair.
type Entry struct {
	Name      string // registry name, e.g. "smolvlm-256m"
	Title     string
	Repo      string // Hugging Face repository "owner/name"
	Model     File
	MMProj    File
	License   string
	Languages string // what the model card claims, in words
	// Langs are the languages the model card names, as capgen's language
	// tags; More says that the card claims further languages without
	// naming them ("over 140 languages").
	Langs []string
	More  bool
	Notes string
}

// Claim is what a model card says about one language.
type Claim int

const (
	// Unclaimed: the card neither names the language nor claims more
	// than it names.
	Unclaimed Claim = iota
	// Unnamed: the card claims more languages than it names; this one is
	// not among those named.
	Unnamed
	// Named: the card names the language.
	Named
)

// Claim says what e's model card says about the language tag (a region
// or script subtag counts for its language: zh-Hant for zh).
func (e *Entry) Claim(tag string) Claim {
	base, _, _ := strings.Cut(tag, "-")
	for _, l := range e.Langs {
		if l == tag || l == base {
			return Named
		}
	}
	if e.More {
		return Unnamed
	}
	return Unclaimed
}

// EnglishOnly reports a pair whose card claims English alone.
func (e *Entry) EnglishOnly() bool {
	return !e.More && len(e.Langs) == 1 && e.Langs[0] == "en"
}

// BaseURL is where repositories are downloaded from; Pull takes another in
// its options (tests use a local server).
const BaseURL = "https://huggingface.co"

// URL returns the download address of f in e's repository.
func (e *Entry) URL(base string, f File) string {
	if base == "" {
		base = BaseURL
	}
	return strings.TrimRight(base, "/") + "/" + e.Repo + "/resolve/main/" + f.Name
}

// registry lists the pairs capgen knows. File names, sizes and checksums
// come from public listings of these repositories (November 2026); a
// checksum is only given where one was published.
var registry = []Entry{
	{Name: "smolvlm-256m", Title: "SmolVLM-256M-Instruct (Q8_0)", Repo: "ggml-org/SmolVLM-256M-Instruct-GGUF",
		Model:   File{Name: "SmolVLM-256M-Instruct-Q8_0.gguf", Size: 175054528},
		MMProj:  File{Name: "mmproj-SmolVLM-256M-Instruct-Q8_0.gguf", Size: 103769856},
		License: "Apache-2.0", Languages: "en", Langs: []string{"en"}, Notes: "smallest; image splitting makes CPU encodes slow on large images"},
	{Name: "smolvlm-500m", Title: "SmolVLM-500M-Instruct (Q8_0)", Repo: "ggml-org/SmolVLM-500M-Instruct-GGUF",
		Model:   File{Name: "SmolVLM-500M-Instruct-Q8_0.gguf"},
		MMProj:  File{Name: "mmproj-SmolVLM-500M-Instruct-Q8_0.gguf"},
		License: "Apache-2.0", Languages: "en", Langs: []string{"en"}},
	{Name: "smolvlm-2.2b", Title: "SmolVLM-Instruct 2.2B (Q4_K_M)", Repo: "ggml-org/SmolVLM-Instruct-GGUF",
		Model:   File{Name: "SmolVLM-Instruct-Q4_K_M.gguf", Size: 1112242368},
		MMProj:  File{Name: "mmproj-SmolVLM-Instruct-Q8_0.gguf", Size: 592521344},
		License: "Apache-2.0", Languages: "en", Langs: []string{"en"}},
	{Name: "smolvlm2-500m", Title: "SmolVLM2-500M-Video-Instruct (Q8_0)", Repo: "ggml-org/SmolVLM2-500M-Video-Instruct-GGUF",
		Model:   File{Name: "SmolVLM2-500M-Video-Instruct-Q8_0.gguf"},
		MMProj:  File{Name: "mmproj-SmolVLM2-500M-Video-Instruct-Q8_0.gguf"},
		License: "Apache-2.0", Languages: "en", Langs: []string{"en"}},
	{Name: "qwen2.5-vl-3b", Title: "Qwen2.5-VL-3B-Instruct (Q4_K_M)", Repo: "ggml-org/Qwen2.5-VL-3B-Instruct-GGUF",
		Model:   File{Name: "Qwen2.5-VL-3B-Instruct-Q4_K_M.gguf", SHA256: "d02fe9b69ad8cadbbd228e387667af66612c44bed29ffc8eb1e7caf9ac486c12"},
		MMProj:  File{Name: "mmproj-Qwen2.5-VL-3B-Instruct-Q8_0.gguf", SHA256: "980c9b2f78c04e6cff93d277ada09e768394f112d75db3b4e9dea8a69f9fb904"},
		License: "Qwen Research License", Languages: "multilingual (en, zh and about 30 more)",
		// Qwen2.5's card: "over 29 languages, including" these.
		Langs: []string{"zh", "en", "fr", "es", "pt", "de", "it", "ru", "ja", "ko", "vi", "th", "ar"}, More: true},
	{Name: "qwen3-vl-2b", Title: "Qwen3-VL-2B-Instruct (Q4_K_M)", Repo: "Qwen/Qwen3-VL-2B-Instruct-GGUF",
		Model:   File{Name: "Qwen3VL-2B-Instruct-Q4_K_M.gguf", Size: 1107409952, SHA256: "089d75c52f4b7ffc56ba998ffc50aae89fcafc755f9e7208aacca281dca6c2ae"},
		MMProj:  File{Name: "mmproj-Qwen3VL-2B-Instruct-Q8_0.gguf", Size: 445053216, SHA256: "f9a68fabba69c3b81e153367b2c7521030b0fa8bb0de400c9599c8e6725f9c82"},
		License: "Apache-2.0", Languages: "multilingual (119 languages in its Qwen3 text model; 32 for OCR)",
		Langs: []string{"zh", "en", "fr", "es", "pt", "de", "it", "ru", "ja", "ko", "vi", "th", "ar"}, More: true},
	{Name: "gemma3-4b", Title: "Gemma 3 4B IT (Q4_K_M)", Repo: "unsloth/gemma-3-4b-it-GGUF",
		Model:   File{Name: "gemma-3-4b-it-Q4_K_M.gguf", Size: 2489894016},
		MMProj:  File{Name: "mmproj-F16.gguf", Size: 851251328},
		License: "Gemma Terms of Use", Languages: "multilingual (over 140 languages)", More: true},
	{Name: "internvl3-1b", Title: "InternVL3-1B-Instruct (Q8_0)", Repo: "ggml-org/InternVL3-1B-Instruct-GGUF",
		Model:   File{Name: "InternVL3-1B-Instruct-Q8_0.gguf"},
		MMProj:  File{Name: "mmproj-InternVL3-1B-Instruct-Q8_0.gguf"},
		License: "see the model card", Languages: "multilingual (en, zh, ...)", Langs: []string{"en", "zh"}, More: true},
	{Name: "minicpm-v-4.5", Title: "MiniCPM-V 4.5 (Q4_K_M)", Repo: "openbmb/MiniCPM-V-4_5-gguf",
		Model:   File{Name: "ggml-model-Q4_K_M.gguf"},
		MMProj:  File{Name: "mmproj-model-f16.gguf"},
		License: "MiniCPM Model License", Languages: "multilingual (30+ languages)",
		Langs: []string{"en", "zh", "de", "fr", "it", "ko"}, More: true},
	{Name: "lfm2.5-vl-450m", Title: "LFM2.5-VL-450M (F16)", Repo: "LiquidAI/LFM2.5-VL-450M-GGUF",
		Model:   File{Name: "LFM2.5-VL-450M-F16.gguf", Size: 711486624},
		MMProj:  File{Name: "mmproj-LFM2.5-VL-450m-F16.gguf", Size: 189126080},
		License: "LFM Open License", Languages: "en, ar, zh, fr, de, ja, ko, es",
		Langs: []string{"en", "ar", "zh", "fr", "de", "ja", "ko", "es"}},
}

// Registry returns the known pairs, sorted by name.
func Registry() []Entry {
	out := append([]Entry(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup finds a registry entry by name (case-insensitive).
func Lookup(name string) (Entry, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, e := range registry {
		if e.Name == n {
			return e, nil
		}
	}
	var names []string
	for _, e := range Registry() {
		names = append(names, e.Name)
	}
	if near := Suggest(name); len(near) > 0 {
		return Entry{}, fmt.Errorf("models: unknown model %q; did you mean %s? (known: %s; or give a .gguf path)", name, strings.Join(near, " or "), strings.Join(names, ", "))
	}
	return Entry{}, fmt.Errorf("models: unknown model %q; known: %s (or give a .gguf path)", name, strings.Join(names, ", "))
}

// Suggest returns the registry names closest to a mistyped name: those
// within two edits (insertions, deletions, substitutions), nearest first.
func Suggest(name string) []string {
	n := strings.ToLower(strings.TrimSpace(name))
	best, out := 3, []string(nil)
	for _, e := range registry {
		switch d := EditDistance(n, e.Name); {
		case d < best:
			best, out = d, []string{e.Name}
		case d == best:
			out = append(out, e.Name)
		}
	}
	return out
}

// EditDistance is the number of edits (insertions, deletions,
// substitutions, and swaps of two neighbours: "modle" is one from "model")
// between two strings, by bytes; the CLI suggests setting names with it
// too.
func EditDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
