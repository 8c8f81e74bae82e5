package toy

import (
	"github.com/capgen/capgen/internal/synth"
)

// Name is the stem of the toy model's file names.
const Name = "capgen-toy"

// Pair returns the toy model's shapes with vocabulary v: a CLIP ViT on
// 96 px images in 48 px patches (4 patches and a class token; four layers
// of width 96, of which clip.cpp's LLaVA graph runs the first three,
// taking the features of the second-to-last layer) with the two-layer GELU
// MLP projector, and a four-layer llama decoder of width 128. An image
// becomes 4 embeddings. A patch is a quadrant, and each cell of the toy's
// 2x2 scenes lies inside one quadrant whatever the aspect ratio (clip.cpp
// letterboxes to a square), so the encoder reads a shape from one patch
// instead of assembling it from pieces: a 16 px patch grid learned the
// same scenes several times slower per minute of training on a CPU.
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
			PatchSize:         48,
			EmbeddingLength:   96,
			FeedForwardLength: 512,
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
