package toy

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/internal/synth"
	"github.com/capgen/capgen/toy/scene"
)

// Special tokens of the toy vocabulary: SentencePiece's three and the two
// ChatML turn tokens. <|im_end|> ends the assistant's turn and is the
// end-of-generation token.
const (
	tokUnk      = "<unk>"
	tokBOS      = "<s>"
	tokEOS      = "</s>"
	TokImStart  = "<|im_start|>"
	TokImEnd    = "<|im_end|>"
	spaceSymbol = "▁"
)

// Vocab returns the toy model's vocabulary: the specials, the 256 byte
// tokens, and every prefix of every word the captions and the trained
// prompts use, with and without a leading "▁". Prefixes give
// SentencePiece's pair merges a path to each whole word, so captions are
// short token sequences; which pieces a text really becomes is decided by
// llama.cpp's tokenizer, and the training data is tokenized by it.
//
// No space prefix is added to text, so a caption generated from the start
// of the assistant's turn detokenizes without a leading space.
func Vocab() (synth.Vocab, error) {
	words := map[string]bool{}
	for _, lang := range Languages() {
		for _, w := range scene.Words(lang) {
			words[w] = true
		}
		for _, m := range scene.Marks(lang) {
			words[m] = true
		}
		for _, mode := range Modes() {
			ins, err := Instruction(lang, mode)
			if err != nil {
				return synth.Vocab{}, err
			}
			for _, w := range promptWords(ins) {
				words[w] = true
			}
		}
	}
	for _, w := range []string{"user", "assistant", "\n"} {
		words[w] = true
	}
	sorted := make([]string, 0, len(words))
	for w := range words {
		sorted = append(sorted, w)
	}
	slices.Sort(sorted)

	seen := map[string]bool{}
	var pieces []synth.Token
	add := func(p string) {
		if p == "" || seen[p] || strings.HasPrefix(p, "<0x") {
			return
		}
		seen[p] = true
		// Longer pieces score higher, so whole words win merges.
		pieces = append(pieces, synth.Token{Text: p, Score: float32(utf8.RuneCountInString(p))})
	}
	add(spaceSymbol)
	for _, w := range sorted {
		for i := range w {
			if i > 0 {
				add(w[:i])
				add(spaceSymbol + w[:i])
			}
		}
		add(w)
		add(spaceSymbol + w)
	}
	return synth.NewVocab(synth.VocabSpec{
		Specials: []synth.Token{
			{Text: tokUnk}, {Text: tokBOS}, {Text: tokEOS},
			{Text: TokImStart}, {Text: TokImEnd},
		},
		Pieces:       pieces,
		BOS:          tokBOS,
		EOS:          TokImEnd,
		UNK:          tokUnk,
		AddBOS:       true,
		ChatTemplate: synth.ChatMLTemplate,
	})
}

// promptWords cuts an instruction into the runs of letters and digits and
// the single other characters it is written with.
func promptWords(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			cur.WriteRune(r)
		case r == ' ':
			flush()
		default:
			flush()
			out = append(out, string(r))
		}
	}
	flush()
	return out
}

// Languages returns the toy model's languages, those of package scene.
func Languages() []string { return scene.Languages() }

// Modes returns the prompt modes the toy model is trained on: brief for
// whole scenes, region for one object (a crop of a cell).
func Modes() []caption.Mode { return []caption.Mode{caption.ModeBrief, caption.ModeRegion} }
