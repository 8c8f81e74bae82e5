package main

import (
	"fmt"
	"io"
	"time"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

// The ground figure (baseline "ground"): grounding a three-sentence
// caption of an image (caption.Engine.Ground: the image and prompt, and
// the prompt alone, each followed by the caption's tokens) against
// generating a caption of as many tokens for the same image, both
// measured in this run. Issue 17's goal: at most 1.5x.

type benchGround struct {
	Tokens     int     `json:"tokens"`
	GenerateMS float64 `json:"generate_ms"`
	GroundMS   float64 `json:"ground_ms"`
	Ratio      float64 `json:"ground_vs_generate"`
}

const benchGroundText = "A small dog sits on a wooden bench in a park. Behind it, tall trees stand under a grey sky. A red bicycle leans against the fence on the left."

func (bb *benchBatches) ground() error {
	bb.progress("ground: a three-sentence caption against generating it")
	img, err := vision.Load(bb.paths[0], &vision.Options{ReduceTo: bb.o.MaxSide})
	if err != nil {
		return err
	}
	toks, err := bb.e.Model().Tokenize(benchGroundText, llama.TokenizeOptions{})
	if err != nil {
		return err
	}
	en := caption.MustLookupLanguage("en")
	var gen, gr time.Duration
	// ABBA, so that drift favours neither.
	for _, what := range []string{"generate", "ground", "ground", "generate"} {
		start := time.Now()
		switch what {
		case "generate":
			res, err := bb.e.Describe(bb.ctx, &caption.Request{Image: img, Languages: []caption.Language{en}, OnMismatch: caption.MismatchKeep,
				Generation: caption.Generation{MaxTokens: len(toks)}})
			if err != nil {
				return err
			}
			if n := res.Captions[0].Tokens; n < len(toks) {
				bb.rep.Notes = append(bb.rep.Notes, fmt.Sprintf("ground: the generated caption ended after %d of %d tokens", n, len(toks)))
			}
			gen += time.Since(start)
		default:
			if _, err := bb.e.Ground(bb.ctx, &caption.GroundRequest{Image: img, Language: en, Text: benchGroundText}); err != nil {
				return err
			}
			gr += time.Since(start)
		}
	}
	bb.rep.Ground = &benchGround{Tokens: len(toks), GenerateMS: ms(gen) / 2, GroundMS: ms(gr) / 2, Ratio: gr.Seconds() / gen.Seconds()}
	return nil
}

func (g *benchGround) table(w io.Writer) {
	fmt.Fprintf(w, "ground            %8.1f ms for 3 sentences (%d tokens), generating them %.1f ms: %.2fx\n", g.GroundMS, g.Tokens, g.GenerateMS, g.Ratio)
}
