package synth

import (
	"errors"
	"fmt"
)

// TokenType is a token's type in tokenizer.ggml.token_type (llama.cpp's
// llama_token_type). It decides how llama.cpp treats the token: control
// and user-defined tokens are matched whole in text (control ones only when
// special tokens are parsed), byte tokens carry one raw byte for byte
// fallback, normal tokens are SentencePiece pieces.
type TokenType int32

// Token types, numbered as in llama.cpp.
const (
	TokenNormal      TokenType = 1
	TokenUnknown     TokenType = 2
	TokenControl     TokenType = 3
	TokenUserDefined TokenType = 4
	TokenUnused      TokenType = 5
	TokenByte        TokenType = 6
)

// Token is one vocabulary entry. A normal token's text is a SentencePiece
// piece, with "▁" (U+2581) standing for a space.
type Token struct {
	Text  string
	Score float32
	Type  TokenType
}

// NoToken marks an unset special token id.
const NoToken = -1

// Vocab is a SentencePiece-style ("llama" tokenizer model) vocabulary with
// its special tokens and chat template, as llama.cpp reads it from
// tokenizer.* keys.
type Vocab struct {
	Tokens []Token
	// BOS, EOS, UNK and PAD are token ids, or NoToken.
	BOS, EOS, UNK, PAD int
	// AddBOS and AddEOS say whether tokenizing with special tokens adds
	// them; AddSpacePrefix whether a space is put before the text, as
	// SentencePiece models such as Llama 2 do and Gemma does not.
	AddBOS, AddEOS, AddSpacePrefix bool
	// ChatTemplate is a Jinja chat template (tokenizer.chat_template).
	ChatTemplate string
}

// Validate checks that the special ids are in range and that the 256 byte
// tokens byte fallback needs are all present.
func (v *Vocab) Validate() error {
	if len(v.Tokens) == 0 {
		return errors.New("empty vocabulary")
	}
	seen := make(map[string]bool, len(v.Tokens))
	for i, t := range v.Tokens {
		if t.Text == "" {
			return fmt.Errorf("token %d is empty", i)
		}
		if seen[t.Text] {
			return fmt.Errorf("token %d %q is a duplicate", i, t.Text)
		}
		seen[t.Text] = true
	}
	for b := 0; b < 256; b++ {
		if !seen[byteToken(byte(b))] {
			return fmt.Errorf("byte token %s is missing: byte fallback would fail", byteToken(byte(b)))
		}
	}
	for _, id := range []int{v.BOS, v.EOS, v.UNK, v.PAD} {
		if id != NoToken && (id < 0 || id >= len(v.Tokens)) {
			return fmt.Errorf("special token id %d out of range", id)
		}
	}
	if v.AddBOS && v.BOS == NoToken {
		return errors.New("AddBOS without a BOS token")
	}
	if v.AddEOS && v.EOS == NoToken {
		return errors.New("AddEOS without an EOS token")
	}
	return nil
}

// ID returns the id of the token with the given text, or NoToken.
func (v *Vocab) ID(text string) int {
	for i, t := range v.Tokens {
		if t.Text == text {
			return i
		}
	}
	return NoToken
}

func byteToken(b byte) string { return fmt.Sprintf("<0x%02X>", b) }

// VocabSpec is the recipe NewVocab builds a Vocab from. The layout is the
// one Llama's SentencePiece model has: special tokens first, then the 256
// byte tokens, then normal pieces with decreasing scores (SentencePiece
// merges the highest-scoring pair first).
type VocabSpec struct {
	// Specials come first, from id 0; a zero Type means TokenControl.
	Specials []Token
	// Pieces are word pieces placed right after the byte tokens, with
	// their scores as given (SentencePiece merges the pair that forms the
	// highest-scoring piece first); a zero Type means TokenNormal.
	Pieces []Token
	// Size is the total vocabulary size: generated pieces (single
	// characters, common English words, then letter n-grams) fill the
	// rest, so that embedding matrices have a real model's size. 0 means
	// no filler.
	Size int
	// BOS, EOS, UNK and PAD name special tokens by text ("" for none).
	BOS, EOS, UNK, PAD string
	AddBOS, AddEOS     bool
	AddSpacePrefix     bool
	ChatTemplate       string
}

// NewVocab builds a vocabulary from spec.
func NewVocab(spec VocabSpec) (Vocab, error) {
	v := Vocab{
		AddBOS:         spec.AddBOS,
		AddEOS:         spec.AddEOS,
		AddSpacePrefix: spec.AddSpacePrefix,
		ChatTemplate:   spec.ChatTemplate,
	}
	seen := map[string]bool{}
	add := func(t Token) {
		seen[t.Text] = true
		v.Tokens = append(v.Tokens, t)
	}
	for _, t := range spec.Specials {
		if t.Type == 0 {
			t.Type = TokenControl
		}
		if t.Text == "" || seen[t.Text] {
			return Vocab{}, fmt.Errorf("synth: special token %q is empty or repeated", t.Text)
		}
		add(t)
	}
	for b := 0; b < 256; b++ {
		add(Token{Text: byteToken(byte(b)), Type: TokenByte})
	}
	// Generated filler pieces score below every given piece, in order.
	var next float32
	for _, p := range spec.Pieces {
		if p.Type == 0 {
			p.Type = TokenNormal
		}
		if p.Text == "" || seen[p.Text] {
			return Vocab{}, fmt.Errorf("synth: piece %q is empty or repeated", p.Text)
		}
		add(p)
		next = min(next, p.Score-1)
	}
	addPiece := func(p string) {
		if p == "" || seen[p] {
			return
		}
		add(Token{Text: p, Score: next, Type: TokenNormal})
		next--
	}
	if spec.Size > 0 {
		if len(v.Tokens) > spec.Size {
			return Vocab{}, fmt.Errorf("synth: %d tokens do not fit a vocabulary of %d", len(v.Tokens), spec.Size)
		}
		fill(spec.Size-len(v.Tokens), seen, addPiece)
	}
	var err error
	lookup := func(text string) int {
		if text == "" {
			return NoToken
		}
		for i, t := range v.Tokens[:len(spec.Specials)] {
			if t.Text == text {
				return i
			}
		}
		err = fmt.Errorf("synth: special token %q is not among the specials", text)
		return NoToken
	}
	v.BOS, v.EOS, v.UNK, v.PAD = lookup(spec.BOS), lookup(spec.EOS), lookup(spec.UNK), lookup(spec.PAD)
	if err != nil {
		return Vocab{}, err
	}
	if err := v.Validate(); err != nil {
		return Vocab{}, fmt.Errorf("synth: %w", err)
	}
	return v, nil
}

func mustVocab(spec VocabSpec) Vocab {
	v, err := NewVocab(spec)
	if err != nil {
		panic(err)
	}
	return v
}

// commonPieces are what a small English-first tokenizer learns early:
// they make typical captions tokenize into words rather than letters.
var commonPieces = []string{
	"▁", "▁the", "▁a", "▁of", "▁and", "▁in", "▁is", "▁on", "▁with", "▁to",
	"▁image", "▁photo", "▁picture", "▁shows", "▁there", "▁are", "▁this", "▁an",
	"▁red", "▁blue", "▁green", "▁yellow", "▁white", "▁black", "▁small", "▁large",
	"▁dog", "▁cat", "▁man", "▁woman", "▁car", "▁tree", "▁house", "▁sky",
	"▁water", "▁table", "▁sitting", "▁standing", "▁next", "▁front", "▁background",
	"▁describe", "▁Describe", "▁what", "▁What", "▁you", "▁see", "▁it", "▁at",
	"▁by", "▁for", "▁two", "▁one", "▁three", "▁circle", "▁square", "▁triangle",
	"\n\n", ".", ",", ":", "?", "!", "'", "\"", "(", ")", "-",
}

// fill adds n generated pieces: every printable ASCII character, the
// common pieces, then lowercase letter n-grams with and without a leading
// "▁", shortest first. The order is fixed, so a given size always gives
// the same vocabulary.
func fill(n int, seen map[string]bool, add func(string)) {
	if n <= 0 {
		return
	}
	start := len(seen)
	done := func() bool { return len(seen)-start >= n }
	try := func(p string) bool {
		if !seen[p] {
			add(p)
		}
		return done()
	}
	for c := byte('!'); c <= '~'; c++ {
		if try(string(c)) {
			return
		}
	}
	for _, p := range commonPieces {
		if try(p) {
			return
		}
	}
	for length := 1; ; length++ {
		buf := make([]byte, length)
		var rec func(i int) bool
		rec = func(i int) bool {
			if i == length {
				return try("▁"+string(buf)) || try(string(buf))
			}
			for c := byte('a'); c <= 'z'; c++ {
				buf[i] = c
				if rec(i + 1) {
					return true
				}
			}
			return false
		}
		if rec(0) {
			return
		}
	}
}
