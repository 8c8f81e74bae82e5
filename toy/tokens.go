package toy

import (
	"fmt"
	"strings"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
)

// PromptTokens returns the token ids mtmd evaluates for the prompt of lang
// and mode around the image: before is the BOS token and the text before
// the media marker, after is the text after it, each part tokenized the
// way mtmd_tokenize does (no specials added, control tokens parsed).
func PromptTokens(m *llama.Model, lang string, mode caption.Mode) (before, after []llama.Token, err error) {
	text, err := PromptText(m, lang, mode)
	if err != nil {
		return nil, nil, err
	}
	b, a, ok := strings.Cut(text, llama.MediaMarker())
	if !ok {
		return nil, nil, fmt.Errorf("toy: prompt %q has no media marker", text)
	}
	opt := llama.TokenizeOptions{ParseSpecial: true}
	if before, err = m.Tokenize(b, opt); err != nil {
		return nil, nil, err
	}
	bos, err := m.Tokenize("", llama.TokenizeOptions{AddSpecial: true})
	if err != nil {
		return nil, nil, err
	}
	before = append(bos, before...)
	if after, err = m.Tokenize(a, opt); err != nil {
		return nil, nil, err
	}
	return before, after, nil
}

// AnswerTokens returns the tokens the model is trained to generate for a
// caption: the caption as llama.cpp tokenizes it, then the end of the turn.
func AnswerTokens(m *llama.Model, text string) ([]llama.Token, error) {
	toks, err := m.Tokenize(text, llama.TokenizeOptions{})
	if err != nil {
		return nil, err
	}
	end, err := m.Tokenize(TokImEnd, llama.TokenizeOptions{ParseSpecial: true})
	if err != nil {
		return nil, err
	}
	if len(end) != 1 {
		return nil, fmt.Errorf("toy: %s is %d tokens, want 1", TokImEnd, len(end))
	}
	return append(toks, end[0]), nil
}
