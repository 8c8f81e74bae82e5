package gguf

import (
	"fmt"
	"slices"
	"strings"
)

// Projector is what capgen knows of one multimodal projector type of
// llama.cpp's tools/mtmd/clip.cpp at the pinned commit (ec98e2002): where
// the size of the embeddings it hands to the text model is read
// (clip_n_mmproj_embd), and how the text model places its tokens. It is the
// one table of these facts: package llama checks files with it before mtmd
// reads them, internal/synth writes files by it, and a test compares it with
// clip.cpp's source so that a llama.cpp update that moves a tensor fails
// loudly.
type Projector struct {
	// Type is the clip.projector_type value, such as "mlp" or "gemma3".
	Type string
	// OutputTensor and OutputDim name the tensor and dimension (ggml
	// order) whose size is the output embedding size.
	OutputTensor string
	OutputDim    int
	// Deepstack multiplies the output size by one plus the number of
	// deepstack layers (v.deepstack.N.fc1.weight; Qwen3-VL).
	Deepstack bool
	// MRoPE means image tokens take 2-D M-RoPE positions (clip_is_mrope):
	// the text model must use M-RoPE too.
	MRoPE bool
}

// projectors is the table, in clip_n_mmproj_embd's order.
var projectors = []Projector{
	{Type: "ldp", OutputTensor: "mm.model.mb_block.1.block.2.1.bias", OutputDim: 0},
	{Type: "ldpv2", OutputTensor: "mm.model.peg.0.bias", OutputDim: 0},
	{Type: "mlp", OutputTensor: "mm.2.weight", OutputDim: 1},
	{Type: "pixtral", OutputTensor: "mm.2.weight", OutputDim: 1},
	{Type: "lightonocr", OutputTensor: "mm.2.weight", OutputDim: 1},
	{Type: "mlp_norm", OutputTensor: "mm.3.bias", OutputDim: 0},
	{Type: "resampler", OutputTensor: "resampler.proj.weight", OutputDim: 0},
	{Type: "adapter", OutputTensor: "adapter.linear.dense_4h_to_h.weight", OutputDim: 1},
	{Type: "qwen2vl_merger", OutputTensor: "mm.2.bias", OutputDim: 0, MRoPE: true},
	{Type: "qwen2.5vl_merger", OutputTensor: "mm.2.bias", OutputDim: 0, MRoPE: true},
	{Type: "janus_pro", OutputTensor: "mm.1.bias", OutputDim: 0},
	{Type: "qwen3vl_merger", OutputTensor: "mm.2.bias", OutputDim: 0, MRoPE: true, Deepstack: true},
	{Type: "gemma3", OutputTensor: "mm.input_projection.weight", OutputDim: 0},
	{Type: "idefics3", OutputTensor: "mm.model.fc.weight", OutputDim: 1},
	{Type: "ultravox", OutputTensor: "mm.a.mlp.2.weight", OutputDim: 1},
	{Type: "voxtral", OutputTensor: "mm.a.mlp.2.weight", OutputDim: 1},
	{Type: "internvl", OutputTensor: "mm.model.mlp.3.weight", OutputDim: 1},
	{Type: "llama4", OutputTensor: "mm.model.fc.weight", OutputDim: 1},
	{Type: "qwen2a", OutputTensor: "mm.a.fc.weight", OutputDim: 1},
	{Type: "glma", OutputTensor: "mm.a.mlp.2.weight", OutputDim: 1},
	{Type: "lfm2", OutputTensor: "mm.2.weight", OutputDim: 1},
	{Type: "kimivl", OutputTensor: "mm.2.weight", OutputDim: 1},
	{Type: "cogvlm", OutputTensor: "mm.down.weight", OutputDim: 1},
	{Type: "glm4v", OutputTensor: "mm.down.weight", OutputDim: 1, MRoPE: true},
}

// LookupProjector returns the facts of a projector type.
func LookupProjector(typ string) (Projector, bool) {
	i := slices.IndexFunc(projectors, func(p Projector) bool { return p.Type == typ })
	if i < 0 {
		return Projector{}, false
	}
	return projectors[i], true
}

// Projectors returns every projector type capgen knows, in
// clip_n_mmproj_embd's order.
func Projectors() []Projector { return slices.Clone(projectors) }

// ProjectorType is the vision projector type of an mmproj file, resolved
// the way clip.cpp resolves it: clip.projector_type, else
// clip.vision.projector_type, else "mlp" (ollama's patch 0030); the legacy
// "qwen2.5o" is the Qwen2.5-VL vision merger, and an "mlp" projector with an
// mm.3 layer is the "mlp_norm" (Yi-type LLaVA) variant.
func (f *File) ProjectorType() string {
	t, _ := f.String("clip.projector_type")
	if t == "" {
		t, _ = f.String("clip.vision.projector_type")
	}
	switch t {
	case "":
		t = "mlp"
	case "qwen2.5o":
		t = "qwen2.5vl_merger"
	}
	if t == "mlp" {
		if _, ok := f.Tensor("mm.3.weight"); ok {
			t = "mlp_norm"
		}
	}
	return t
}

// ProjectorEmbeddingLength is the size of the embeddings the vision
// projector of an mmproj file (general.architecture "clip") hands to the
// text model, read from the tensor llama.cpp reads it from. mtmd refuses a
// pair unless it equals the text model's TextEmbeddingLength, so comparing
// the two in Go turns a NULL from mtmd_init_from_file into a clear error.
func (f *File) ProjectorEmbeddingLength() (int, error) {
	if a := f.Architecture(); a != "clip" {
		return 0, fmt.Errorf("gguf: architecture is %q, not an mmproj (clip) file", a)
	}
	pt := f.ProjectorType()
	p, ok := LookupProjector(pt)
	if !ok {
		return 0, fmt.Errorf("gguf: unknown projector type %q", pt)
	}
	ti, ok := f.Tensor(p.OutputTensor)
	if !ok || len(ti.Shape) <= p.OutputDim {
		return 0, fmt.Errorf("gguf: %s projector lacks tensor %s", pt, p.OutputTensor)
	}
	n := int(ti.Shape[p.OutputDim])
	if p.Deepstack {
		// Each deepstack layer adds one more embedding of the same size.
		deep := 0
		for _, t := range f.Tensors {
			if strings.HasPrefix(t.Name, "v.deepstack.") && strings.HasSuffix(t.Name, ".fc1.weight") {
				deep++
			}
		}
		n *= 1 + deep
	}
	return n, nil
}

// TextEmbeddingLength is the input embedding size of a text model:
// <arch>.embedding_length, times one plus <arch>.n_deepstack_layers for
// models (Qwen3-VL) that take deepstack features alongside the embedding,
// as llama_model_n_embd_inp computes it.
func (f *File) TextEmbeddingLength() (int, error) {
	arch := f.Architecture()
	if arch == "" || arch == "clip" {
		return 0, fmt.Errorf("gguf: architecture %q is not a text model", arch)
	}
	n, ok := f.Uint(arch + ".embedding_length")
	if !ok {
		return 0, fmt.Errorf("gguf: %s.embedding_length missing", arch)
	}
	deep, _ := f.Uint(arch + ".n_deepstack_layers")
	return int(n * (1 + deep)), nil
}
