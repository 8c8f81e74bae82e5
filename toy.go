// Package capgen holds what the capgen module embeds: the toy
// vision-language model of testdata/toy, so that `capgen describe --model
// toy` works from any folder without a download (toy.Files writes it into
// the model cache on first use). The captioning API lives in the packages
// caption, vision and llama; the command is cmd/capgen.
package capgen

import _ "embed"

// File names of the embedded toy model, as toy.FileNames gives
// them (a test there checks they agree; the go:embed lines below must
// name the same files).
const (
	ToyModelFile     = "capgen-toy-F32.gguf"
	ToyProjectorFile = "mmproj-capgen-toy-F16.gguf"
)

// ToyModel is the toy model's text model file (GGUF, llama architecture).
//
//go:embed testdata/toy/capgen-toy-F32.gguf
var ToyModel []byte

// ToyProjector is the toy model's vision projector file (GGUF, CLIP with
// the "mlp" projector).
//
//go:embed testdata/toy/mmproj-capgen-toy-F16.gguf
var ToyProjector []byte

// ToyManifest is the toy model's manifest.json: training settings and
// measured accuracy per language.
//
//go:embed testdata/toy/manifest.json
var ToyManifest []byte
