package caption

import (
	"fmt"
	"strings"

	"github.com/capgen/capgen/llama"
)

// chatPrefix renders a one-turn chat whose user message is the media
// marker followed by instruction, and splits it right after the marker: the
// prefix is shared by every output of the image, the suffix is the
// output's own. mtmd tokenizes the text on each side of a marker
// separately, so the split gives the same tokens as the whole prompt.
func (e *Engine) chatPrefix(instruction string, withImage bool) (prefix, suffix string, err error) {
	marker := llama.MediaMarker()
	content := instruction
	if withImage {
		content = marker + instruction
	}
	text, err := e.model.ApplyChatTemplate(e.opt.ChatTemplate, []llama.Message{{Role: "user", Content: content}}, true)
	if err != nil {
		return "", "", err
	}
	if !withImage {
		return "", text, nil
	}
	i := strings.Index(text, marker)
	if i < 0 {
		return "", "", fmt.Errorf("caption: the chat template dropped the image marker")
	}
	return text[:i+len(marker)], text[i+len(marker):], nil
}

// estimate returns the KV cells a prompt text takes (an upper bound: a
// token covers at least one byte, and usually 3-4).
func (e *Engine) estimate(text string) int {
	toks, err := e.model.Tokenize(text, llama.TokenizeOptions{ParseSpecial: true})
	if err != nil {
		return len(text)
	}
	return len(toks)
}
