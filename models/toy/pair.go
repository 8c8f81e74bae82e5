package toy

import (
	"github.com/capgen/capgen/models/synth"
)

// Name is the stem of the toy model's file names.
const Name = "capgen-toy"

// Pair returns the toy model's shapes with vocabulary v: a CLIP ViT on
// 96 px images in 16 px patches (36 patches and a class token; four
// layers of width 96, of which clip.cpp's LLaVA graph runs the first
// three, taking the features of the second-to-last layer) with the
// two-layer GELU MLP projector, and a four-layer llama decoder of width
// 128. An image becomes 36 embeddings; a cell of a 3x3 scene is 2x2 patches.
func Pair(v synth.Vocab) synth.Pair {
	return synth.Pair{
		Name: Name,
		Text: synth.TextConfig{
			Name:              Name,
			Arch:              synth.ArchLlama,
			ContextLength:     512,
			EmbeddingLength:   128,
			BlockCount:        4,
			FeedForwardLength: 384,
			HeadCount:         4,
			HeadCountKV:       4,
			RMSNormEps:        1e-6,
			RopeFreqBase:      10000,
			Vocab:             v,
		},
		Vision: synth.VisionConfig{
			Name:              Name + "-clip",
			Projector:         synth.ProjectorMLP,
			ImageSize:         96,
			PatchSize:         16,
			EmbeddingLength:   96,
			FeedForwardLength: 256,
			BlockCount:        4,
			HeadCount:         4,
			LayerNormEps:      1e-5,
			ImageMean:         synth.CLIPImageMean,
			ImageStd:          synth.CLIPImageStd,
			ProjectionDim:     128,
			MLPHidden:         128,
		},
	}
}
