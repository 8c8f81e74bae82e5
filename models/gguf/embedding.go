package gguf

import (
	"fmt"
	"strings"
)

// projectorOutput says which tensor dimension is the size of the embeddings
// a projector type produces. It mirrors clip_n_mmproj_embd in llama.cpp's
// tools/mtmd/clip.cpp (commit ec98e2002), which mtmd compares with the text
// model's input embedding size before it accepts a pair.
var projectorOutput = map[string]struct {
	tensor string
	dim    int
}{
	"mlp":              {"mm.2.weight", 1},
	"mlp_norm":         {"mm.3.bias", 0},
	"ldp":              {"mm.model.mb_block.1.block.2.1.bias", 0},
	"ldpv2":            {"mm.model.peg.0.bias", 0},
	"resampler":        {"resampler.proj.weight", 0},
	"adapter":          {"adapter.linear.dense_4h_to_h.weight", 1},
	"qwen2vl_merger":   {"mm.2.bias", 0},
	"qwen2.5vl_merger": {"mm.2.bias", 0},
	"qwen3vl_merger":   {"mm.2.bias", 0},
	"janus_pro":        {"mm.1.bias", 0},
	"gemma3":           {"mm.input_projection.weight", 0},
	"idefics3":         {"mm.model.fc.weight", 1},
	"internvl":         {"mm.model.mlp.3.weight", 1},
	"llama4":           {"mm.model.fc.weight", 1},
	"lfm2":             {"mm.2.weight", 1},
	"kimivl":           {"mm.2.weight", 1},
	"pixtral":          {"mm.2.weight", 1},
	"lightonocr":       {"mm.2.weight", 1},
	"cogvlm":           {"mm.down.weight", 1},
	"glm4v":            {"mm.down.weight", 1},
}

// ProjectorType is the vision projector type of an mmproj file, resolved
// the way clip.cpp resolves it: clip.projector_type, else
// clip.vision.projector_type, else "mlp"; the legacy "qwen2.5o" is the
// Qwen2.5-VL vision merger, and an "mlp" projector with an mm.3 layer is the
// "mlp_norm" variant.
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
	out, ok := projectorOutput[pt]
	if !ok {
		return 0, fmt.Errorf("gguf: unknown projector type %q", pt)
	}
	ti, ok := f.Tensor(out.tensor)
	if !ok || len(ti.Shape) <= out.dim {
		return 0, fmt.Errorf("gguf: %s projector lacks tensor %s", pt, out.tensor)
	}
	n := int(ti.Shape[out.dim])
	if pt == "qwen3vl_merger" {
		// Deepstack layers add one more embedding of the same size each.
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
