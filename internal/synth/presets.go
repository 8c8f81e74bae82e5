package synth

import (
	"fmt"
	"sort"
)

// Tiny presets are for unit tests: each pair is a few hundred kilobytes in
// F32, loads in milliseconds and encodes a small image quickly, while going
// through the same llama.cpp code paths (tokenizer, chat template, image
// markers, projector graph, M-RoPE, sliding-window attention) as the real
// model of its family.
//
// The shared text shape: 64-wide embeddings, 2 layers, 4 heads of 16 with
// 2 KV heads, a 128-wide MLP, a 1024-token vocabulary.
func tinyText(name string, arch Arch, spec VocabSpec) TextConfig {
	return TextConfig{
		Name:              name,
		Arch:              arch,
		ContextLength:     4096,
		EmbeddingLength:   64,
		BlockCount:        2,
		FeedForwardLength: 128,
		HeadCount:         4,
		HeadCountKV:       2,
		RMSNormEps:        1e-6,
		RopeFreqBase:      10000,
		Vocab:             mustVocab(spec),
	}
}

// TinyLLaVA is a LLaVA-1.5-style pair in miniature: a llama text model with
// a ChatML template, and a CLIP ViT (32 px images, 8 px patches, a class
// token, 2 layers of width 32) with the two-layer MLP projector.
// An image becomes 16 embeddings.
func TinyLLaVA() Pair {
	return Pair{
		Name: "tiny-llava",
		Text: tinyText("tiny-llava", ArchLlama, ChatMLVocab(1024)),
		Vision: VisionConfig{
			Name:              "tiny-llava-clip",
			Projector:         ProjectorMLP,
			ImageSize:         32,
			PatchSize:         8,
			EmbeddingLength:   32,
			FeedForwardLength: 64,
			BlockCount:        2,
			HeadCount:         4,
			LayerNormEps:      1e-5,
			ImageMean:         CLIPImageMean,
			ImageStd:          CLIPImageStd,
			ProjectionDim:     64,
		},
	}
}

// TinySmolVLM is a SmolVLM-style pair in miniature: a llama text model with
// SmolVLM's template and image tokens, and an idefics3 SigLIP (32 px
// tiles, 4 px patches, 2 layers of width 32, pixel shuffle 2). Images are
// resized to at most 64 px on the longer side, so a landscape image
// becomes up to 2×2 tiles plus the overview, 16 embeddings each.
func TinySmolVLM() Pair {
	return Pair{
		Name: "tiny-smolvlm",
		Text: tinyText("tiny-smolvlm", ArchLlama, SmolVLMVocab(1024)),
		Vision: VisionConfig{
			Name:              "tiny-smolvlm-siglip",
			Projector:         ProjectorIdefics3,
			ImageSize:         32,
			PatchSize:         4,
			EmbeddingLength:   32,
			FeedForwardLength: 64,
			BlockCount:        2,
			HeadCount:         4,
			LayerNormEps:      1e-6,
			ImageMean:         SigLIPImageMean,
			ImageStd:          SigLIPImageStd,
			ProjectionDim:     64,
			ScaleFactor:       2,
			PreprocImageSize:  64,
		},
	}
}

// TinyQwen25VL is a Qwen2.5-VL-style pair in miniature: a qwen2vl text
// model (q/k/v biases, M-RoPE sections 2/3/3 of the 8 rotary pairs, tied
// embeddings) and a Qwen2.5-VL ViT with 14 px patches, 2 layers of width
// 32 (the second with full attention, the first windowed) and the 2×2
// merger. Images keep their aspect ratio, rounded to 28 px multiples.
//
// clip.cpp reserves its compute buffers for a 46×46-token image whatever
// the model size: about 430 MiB for this model when an mtmd context is
// created with warm-up on. It is allocated but barely touched (the whole
// test process stays under 20 MB resident); warm-up off avoids it.
func TinyQwen25VL() Pair {
	t := tinyText("tiny-qwen2.5-vl", ArchQwen2VL, Qwen25VLVocab(1024))
	t.RopeFreqBase = 1e6
	t.RopeSections = [4]int32{2, 3, 3, 0}
	t.AttentionBias = true
	t.TiedEmbeddings = true
	return Pair{
		Name: "tiny-qwen2.5-vl",
		Text: t,
		Vision: VisionConfig{
			Name:              "tiny-qwen2.5-vl-vit",
			Projector:         ProjectorQwen25VL,
			ImageSize:         56,
			PatchSize:         14,
			EmbeddingLength:   32,
			FeedForwardLength: 48,
			BlockCount:        2,
			HeadCount:         4,
			LayerNormEps:      1e-6,
			ImageMean:         CLIPImageMean,
			ImageStd:          CLIPImageStd,
			ProjectionDim:     64,
			WindowAttnPattern: 2,
			SpatialMergeSize:  2,
		},
	}
}

// TinyGemma3 is a Gemma 3-style pair in miniature: a gemma3 text model
// (head size 16, sliding window 128, Gemma's vocabulary layout and turn
// template, tied embeddings) and a SigLIP of 32 px images, 4 px patches,
// 2 layers of width 32, pooled 2×2: 16 embeddings per image.
//
// The text model has 6 layers where the other tiny models have 2:
// llama.cpp makes every sixth Gemma 3 layer global and the rest
// sliding-window, and with fewer than 6 layers the global KV cache would
// be empty, which crashes llama_decode.
func TinyGemma3() Pair {
	t := tinyText("tiny-gemma3", ArchGemma3, Gemma3Vocab(1024))
	t.BlockCount = 6
	t.HeadDim = 16
	t.SlidingWindow = 128
	t.RopeFreqBase = 1e6
	t.TiedEmbeddings = true
	return Pair{
		Name: "tiny-gemma3",
		Text: t,
		Vision: VisionConfig{
			Name:              "tiny-gemma3-siglip",
			Projector:         ProjectorGemma3,
			ImageSize:         32,
			PatchSize:         4,
			EmbeddingLength:   32,
			FeedForwardLength: 64,
			BlockCount:        2,
			HeadCount:         4,
			LayerNormEps:      1e-6,
			ImageMean:         SigLIPImageMean,
			ImageStd:          SigLIPImageStd,
			ProjectionDim:     64,
			ScaleFactor:       2,
		},
	}
}

// SmolVLM256M has the shapes of HuggingFaceTB/SmolVLM-256M-Instruct.
//
// Text (text_config, a SmolLM2-135M-like llama): hidden_size 576,
// num_hidden_layers 30, num_attention_heads 9, num_key_value_heads 3
// (head size 64), intermediate_size 1536, vocab_size 49280, rope_theta
// 100000, rms_norm_eps 1e-5, max_position_embeddings 8192, and an LM head
// separate from the embeddings (the untied head is what brings the pair to
// its advertised 256M parameters; with a tied head it would be 228M).
//
// Vision (vision_config, SigLIP base-patch16-512 cut down): hidden_size
// 768, 12 layers, 12 heads, intermediate_size 3072, image_size 512,
// patch_size 16, layer_norm_eps 1e-6; connector scale_factor 4 (a 768×16 →
// 576 linear layer), so each 512 px tile becomes 64 tokens; the processor
// resizes the longest edge to 2048 px (size.longest_edge), i.e. up to 4×4
// tiles plus the overview.
//
// Uncertain: the tied/untied LM head is inferred from the parameter count;
// the 2048 px longest edge is from the processor config as remembered.
// Total: about 256.5M parameters.
func SmolVLM256M() Pair {
	return Pair{
		Name: "SmolVLM-256M-Instruct",
		Text: TextConfig{
			Name:              "SmolVLM-256M-Instruct",
			Arch:              ArchLlama,
			ContextLength:     8192,
			EmbeddingLength:   576,
			BlockCount:        30,
			FeedForwardLength: 1536,
			HeadCount:         9,
			HeadCountKV:       3,
			RMSNormEps:        1e-5,
			RopeFreqBase:      100000,
			Vocab:             mustVocab(SmolVLMVocab(49280)),
		},
		Vision: VisionConfig{
			Name:              "SmolVLM-256M-Instruct",
			Projector:         ProjectorIdefics3,
			ImageSize:         512,
			PatchSize:         16,
			EmbeddingLength:   768,
			FeedForwardLength: 3072,
			BlockCount:        12,
			HeadCount:         12,
			LayerNormEps:      1e-6,
			ImageMean:         SigLIPImageMean,
			ImageStd:          SigLIPImageStd,
			ProjectionDim:     576,
			ScaleFactor:       4,
			PreprocImageSize:  2048,
		},
	}
}

// Qwen25VL3B has the shapes of Qwen/Qwen2.5-VL-3B-Instruct.
//
// Text: hidden_size 2048, num_hidden_layers 36, num_attention_heads 16,
// num_key_value_heads 2 (head size 128), intermediate_size 11008,
// vocab_size 151936, rope_theta 1e6, mrope_section [16, 24, 24],
// rms_norm_eps 1e-6, max_position_embeddings 128000, tie_word_embeddings
// true, q/k/v biases.
//
// Vision: depth 32, hidden_size 1280, num_heads 16, intermediate_size 3420
// (SwiGLU), patch_size 14, temporal_patch_size 2, spatial_merge_size 2,
// window_size 112, fullatt_block_indexes [7, 15, 23, 31] (a window pattern
// of 8), out_hidden_size 2048. Image size 560 is nominal: the processor
// keeps the aspect ratio and rounds to 28 px.
//
// Total: about 3.75B parameters (3.09B text, 0.67B vision), matching the
// published count.
func Qwen25VL3B() Pair {
	return Pair{
		Name: "Qwen2.5-VL-3B-Instruct",
		Text: TextConfig{
			Name:              "Qwen2.5-VL-3B-Instruct",
			Arch:              ArchQwen2VL,
			ContextLength:     128000,
			EmbeddingLength:   2048,
			BlockCount:        36,
			FeedForwardLength: 11008,
			HeadCount:         16,
			HeadCountKV:       2,
			RMSNormEps:        1e-6,
			RopeFreqBase:      1e6,
			RopeSections:      [4]int32{16, 24, 24, 0},
			AttentionBias:     true,
			TiedEmbeddings:    true,
			Vocab:             mustVocab(Qwen25VLVocab(151936)),
		},
		Vision: VisionConfig{
			Name:              "Qwen2.5-VL-3B-Instruct",
			Projector:         ProjectorQwen25VL,
			ImageSize:         560,
			PatchSize:         14,
			EmbeddingLength:   1280,
			FeedForwardLength: 3420,
			BlockCount:        32,
			HeadCount:         16,
			LayerNormEps:      1e-6,
			ImageMean:         CLIPImageMean,
			ImageStd:          CLIPImageStd,
			ProjectionDim:     2048,
			WindowAttnPattern: 8,
			SpatialMergeSize:  2,
		},
	}
}

// Gemma3_4B has the shapes of google/gemma-3-4b-it.
//
// Text: hidden_size 2560, num_hidden_layers 34, num_attention_heads 8,
// num_key_value_heads 4, head_dim 256, intermediate_size 10240,
// vocab_size 262208, rope_theta 1e6 with linear scaling 8 (global layers),
// sliding_window 1024 (5 local layers per global one), rms_norm_eps 1e-6,
// max_position_embeddings 131072, tied embeddings.
//
// Vision: SigLIP so400m-patch14-896: hidden_size 1152, 27 layers, 16 heads,
// intermediate_size 4304, image_size 896, patch_size 14,
// layer_norm_eps 1e-6; 4×4 average pooling to 256 tokens
// (mm_tokens_per_image), soft-embedding norm and a 1152 → 2560 projection.
//
// Total: about 4.30B parameters (3.88B text, 0.42B vision), matching the
// published count.
func Gemma3_4B() Pair {
	return Pair{
		Name: "gemma-3-4b-it",
		Text: TextConfig{
			Name:              "gemma-3-4b-it",
			Arch:              ArchGemma3,
			ContextLength:     131072,
			EmbeddingLength:   2560,
			BlockCount:        34,
			FeedForwardLength: 10240,
			HeadCount:         8,
			HeadCountKV:       4,
			HeadDim:           256,
			RMSNormEps:        1e-6,
			RopeFreqBase:      1e6,
			RopeScalingFactor: 8,
			SlidingWindow:     1024,
			TiedEmbeddings:    true,
			Vocab:             mustVocab(Gemma3Vocab(262208)),
		},
		Vision: VisionConfig{
			Name:              "gemma-3-4b-it",
			Projector:         ProjectorGemma3,
			ImageSize:         896,
			PatchSize:         14,
			EmbeddingLength:   1152,
			FeedForwardLength: 4304,
			BlockCount:        27,
			HeadCount:         16,
			LayerNormEps:      1e-6,
			ImageMean:         SigLIPImageMean,
			ImageStd:          SigLIPImageStd,
			ProjectionDim:     2560,
			ScaleFactor:       4,
		},
	}
}

// SmolVLM256MNoSplit is SmolVLM256M with image splitting off (as
// do_image_splitting=False in its processor): an image is one 512 px slice
// of 64 tokens instead of up to 17 slices, so benchmarks of the text side
// finish on a CPU.
func SmolVLM256MNoSplit() Pair {
	p := SmolVLM256M()
	p.Name += "-nosplit"
	p.Vision.PreprocImageSize = 0
	return p
}

// presets maps the names the command line and tests use to constructors.
var presets = map[string]func() Pair{
	"tiny-llava":           TinyLLaVA,
	"tiny-smolvlm":         TinySmolVLM,
	"tiny-qwen25vl":        TinyQwen25VL,
	"tiny-gemma3":          TinyGemma3,
	"smolvlm-256m":         SmolVLM256M,
	"smolvlm-256m-nosplit": SmolVLM256MNoSplit,
	"qwen25vl-3b":          Qwen25VL3B,
	"gemma3-4b":            Gemma3_4B,
}

// Preset returns the pair of a preset by name (see PresetNames).
func Preset(name string) (Pair, error) {
	f, ok := presets[name]
	if !ok {
		return Pair{}, fmt.Errorf("synth: unknown preset %q (known: %v)", name, PresetNames())
	}
	return f(), nil
}

// PresetNames lists the preset names, sorted.
func PresetNames() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
