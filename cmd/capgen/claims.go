package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/gguf"
	"github.com/capgen/capgen/models"
	"github.com/capgen/capgen/toy"
)

// modelClaims is what is known of the languages a model pair claims: the
// registry entry's model card, the toy's ten languages, or a GGUF file's
// general.languages.
type modelClaims struct {
	name  string
	entry models.Entry // Langs and More; a registry pair's also the rest
	known bool
}

// claimsOf finds the claims of the model given as name (what --model
// said) and loaded from path.
func claimsOf(name, path string) modelClaims {
	switch e, err := models.Lookup(name); {
	case name == toy.ModelName:
		return modelClaims{name: name, entry: models.Entry{Langs: toy.Languages()}, known: true}
	case err == nil:
		return modelClaims{name: name, entry: e, known: true}
	}
	f, err := gguf.ReadMetadata(path)
	if err != nil {
		return modelClaims{name: name}
	}
	kv, ok := f.Get("general.languages")
	langs, isList := kv.Value.([]string)
	if !ok || !isList || len(langs) == 0 {
		return modelClaims{name: name}
	}
	return modelClaims{name: name, entry: models.Entry{Langs: langs}, known: true}
}

// describe says in words what the model claims.
func (m modelClaims) describe() string {
	switch {
	case !m.known:
		return "no language list"
	case m.entry.EnglishOnly():
		return "English only"
	case m.entry.More && len(m.entry.Langs) == 0:
		return m.entry.Languages + ", none named"
	case m.entry.More:
		return strings.Join(m.entry.Langs, ", ") + " and more"
	}
	return strings.Join(m.entry.Langs, ", ")
}

// outside lists the requested languages the model does not claim at all.
func (m modelClaims) outside(langs []caption.Language) []string {
	var out []string
	if !m.known {
		return nil
	}
	for _, l := range langs {
		if m.entry.Claim(l.Tag) == models.Unclaimed {
			out = append(out, l.Tag)
		}
	}
	return out
}

// warnUnclaimed warns once when requested languages are outside what the
// model claims: their captions will likely fail the language check.
func (o *modelOptions) warnUnclaimed(ctx context.Context, langs []caption.Language) {
	m := claimsOf(o.name, o.Model)
	if out := m.outside(langs); len(out) > 0 {
		notef(ctx, "warning: %s claims %s; %s %s not among them, so expect captions that fail the language check (capgen models list shows multilingual pairs)",
			m.name, m.describe(), strings.Join(out, ", "), map[bool]string{true: "is", false: "are"}[len(out) == 1])
	}
}

// claimLine says what the model card says about one language, for models
// info --lang.
func (m modelClaims) claimLine(l caption.Language) string {
	if !m.known {
		return fmt.Sprintf("%s (%s): unknown (the model names no languages)", l.Tag, l.English)
	}
	switch m.entry.Claim(l.Tag) {
	case models.Named:
		return fmt.Sprintf("%s (%s): named by the model card", l.Tag, l.English)
	case models.Unnamed:
		return fmt.Sprintf("%s (%s): not named, but the card claims more languages than it names (%s)", l.Tag, l.English, m.describe())
	}
	return fmt.Sprintf("%s (%s): not claimed (the card claims %s)", l.Tag, l.English, m.describe())
}
