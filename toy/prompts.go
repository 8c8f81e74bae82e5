package toy

import (
	"fmt"
	"strconv"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
)

// RegionWords is the word budget the toy model was trained with in the
// region prompt's {words}. capgen's region captioning must send the same
// number for the toy model's answers to hold.
const RegionWords = 10

// Instruction returns the user instruction capgen sends for lang and mode:
// package caption's built-in template, with {words} set to RegionWords.
func Instruction(lang string, mode caption.Mode) (string, error) {
	l, err := caption.LookupLanguage(lang)
	if err != nil {
		return "", err
	}
	var vars map[string]string
	if mode == caption.ModeRegion {
		vars = map[string]string{"words": strconv.Itoa(RegionWords)}
	}
	return caption.DefaultTemplates().Render(l, mode, vars)
}

// PromptText returns the whole prompt text for an image: the instruction
// as the user's turn after the image's media marker, wrapped in the
// model's chat template with the assistant's turn opened. It is evaluated
// with llama.Prompt.AddSpecial set, so the BOS token leads.
func PromptText(m *llama.Model, lang string, mode caption.Mode) (string, error) {
	ins, err := Instruction(lang, mode)
	if err != nil {
		return "", err
	}
	return m.ApplyChatTemplate("", []llama.Message{{Role: "user", Content: llama.MediaMarker() + ins}}, true)
}

// TemplatesHash is the hash of the prompts the toy model learns (package
// caption's templates of the toy languages in the trained modes, and the
// region word budget). The manifest records it; a change means the model
// must be retrained.
func TemplatesHash() (string, error) {
	langs := make([]caption.Language, 0, len(Languages()))
	for _, code := range Languages() {
		l, err := caption.LookupLanguage(code)
		if err != nil {
			return "", err
		}
		langs = append(langs, l)
	}
	h := caption.DefaultTemplates().Hash(Modes(), langs...)
	return fmt.Sprintf("%s/words=%d", h, RegionWords), nil
}
