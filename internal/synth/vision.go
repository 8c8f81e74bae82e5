package synth

import "fmt"

// visionTensors lists the tensors clip.cpp's load_tensors and graph
// builders use for the projector type (tools/mtmd/clip.cpp and
// tools/mtmd/models/*.cpp), named by its TN_* constants. clip.cpp ignores
// tensors it does not ask for, but every one listed here is used.
func (c *VisionConfig) visionTensors() []tensorSpec {
	n := c.EmbeddingLength
	ff := c.FeedForwardLength
	p := c.PatchSize
	side := c.ImageSize / p
	patches := side * side
	out := c.ProjectionDim

	// Conv kernels are [kw, kh, in_channels, out_channels] in ggml order.
	conv := func(name string) tensorSpec {
		return tensorSpec{name, dims(p, p, 3, n), initNormal, ruleFloat}
	}
	posEmbd := func(positions int) tensorSpec {
		// Added to activations with ggml_add (or gathered with
		// ggml_get_rows), kept F32 as conversions do.
		return tensorSpec{"v.position_embd.weight", dims(n, positions), initNormal, ruleF32}
	}

	var ts []tensorSpec
	switch c.Projector {
	case ProjectorMLP:
		// CLIP ViT-L/14 as LLaVA-1.5 uses it: class token, no patch bias,
		// a pre-norm, no post-norm (features come from the second-to-last
		// layer).
		ts = append(ts,
			tensorSpec{"v.class_embd", dims(n), initNormal, ruleF32},
			conv("v.patch_embd.weight"),
			posEmbd(patches+1),
			norm("v.pre_ln.weight", n), normBias("v.pre_ln.bias", n))
	case ProjectorIdefics3, ProjectorGemma3:
		ts = append(ts,
			conv("v.patch_embd.weight"), bias("v.patch_embd.bias", n),
			posEmbd(patches))
	case ProjectorQwen25VL:
		// The 3D patch kernel of a 2-frame temporal patch, split in two 2D
		// kernels whose outputs are summed; no bias, no learned positions.
		ts = append(ts, conv("v.patch_embd.weight"), conv("v.patch_embd.weight.1"))
	}

	for i := 0; i < c.BlockCount; i++ {
		b := func(s string) string { return fmt.Sprintf("v.blk.%d.%s", i, s) }
		ts = append(ts, norm(b("ln1.weight"), n))
		if c.Projector != ProjectorQwen25VL { // RMSNorm there: no bias
			ts = append(ts, normBias(b("ln1.bias"), n))
		}
		for _, m := range []string{"attn_q", "attn_k", "attn_v", "attn_out"} {
			ts = append(ts, weight(b(m+".weight"), n, n), bias(b(m+".bias"), n))
		}
		ts = append(ts, norm(b("ln2.weight"), n))
		if c.Projector != ProjectorQwen25VL {
			ts = append(ts, normBias(b("ln2.bias"), n))
		}
		if c.Projector == ProjectorQwen25VL { // SwiGLU
			ts = append(ts, weight(b("ffn_gate.weight"), n, ff), bias(b("ffn_gate.bias"), ff))
		}
		ts = append(ts,
			weight(b("ffn_up.weight"), n, ff), bias(b("ffn_up.bias"), ff),
			weight(b("ffn_down.weight"), ff, n), bias(b("ffn_down.bias"), n))
	}

	switch c.Projector {
	case ProjectorMLP:
		hidden := c.MLPHidden
		if hidden == 0 {
			hidden = out
		}
		ts = append(ts,
			weight("mm.0.weight", n, hidden), bias("mm.0.bias", hidden),
			weight("mm.2.weight", hidden, out), bias("mm.2.bias", out))
	case ProjectorIdefics3:
		s := c.ScaleFactor
		ts = append(ts,
			norm("v.post_ln.weight", n), normBias("v.post_ln.bias", n),
			weight("mm.model.fc.weight", n*s*s, out))
	case ProjectorGemma3:
		ts = append(ts,
			norm("v.post_ln.weight", n), normBias("v.post_ln.bias", n),
			norm("mm.soft_emb_norm.weight", n),
			// Stored [text, vision] and transposed in the graph with
			// ggml_cont, which has no quantised kernel: keep it float.
			tensorSpec{"mm.input_projection.weight", dims(out, n), initNormal, ruleFloat})
	case ProjectorQwen25VL:
		m := n * c.SpatialMergeSize * c.SpatialMergeSize
		ts = append(ts,
			norm("v.post_ln.weight", n),
			weight("mm.0.weight", m, m), bias("mm.0.bias", m),
			weight("mm.2.weight", m, out), bias("mm.2.bias", out))
	}
	return ts
}

// Default image normalisations of the encoders the projectors come with.
var (
	// CLIPImageMean and CLIPImageStd are OpenAI CLIP's (LLaVA, Qwen2.5-VL).
	CLIPImageMean = [3]float32{0.48145466, 0.4578275, 0.40821073}
	CLIPImageStd  = [3]float32{0.26862954, 0.26130258, 0.27577711}
	// SigLIPImageMean and SigLIPImageStd are SigLIP's (SmolVLM, Gemma 3).
	SigLIPImageMean = [3]float32{0.5, 0.5, 0.5}
	SigLIPImageStd  = [3]float32{0.5, 0.5, 0.5}
)

// visionKVs lists what clip.cpp's load_hparams reads, with the GGUF types
// its get_u32/get_f32/get_bool assert.
func (c *VisionConfig) visionKVs() []kv {
	kvs := []kv{
		{"general.architecture", "clip"},
		{"general.name", c.Name},
		{"clip.has_vision_encoder", true},
		{"clip.projector_type", string(c.Projector)},
		{"clip.vision.image_size", uint32(c.ImageSize)},
		{"clip.vision.patch_size", uint32(c.PatchSize)},
		{"clip.vision.embedding_length", uint32(c.EmbeddingLength)},
		{"clip.vision.feed_forward_length", uint32(c.FeedForwardLength)},
		{"clip.vision.block_count", uint32(c.BlockCount)},
		{"clip.vision.attention.head_count", uint32(c.HeadCount)},
		{"clip.vision.attention.layer_norm_epsilon", c.LayerNormEps},
		{"clip.vision.projection_dim", uint32(c.ProjectionDim)},
		{"clip.vision.image_mean", c.ImageMean[:]},
		{"clip.vision.image_std", c.ImageStd[:]},
	}
	switch c.Projector {
	case ProjectorMLP:
		// CLIP's quick GELU is clip.cpp's default activation.
		kvs = append(kvs, kv{"clip.use_gelu", false})
	case ProjectorIdefics3:
		kvs = append(kvs,
			kv{"clip.use_gelu", true},
			kv{"clip.vision.projector.scale_factor", uint32(c.ScaleFactor)})
		if c.PreprocImageSize > 0 {
			kvs = append(kvs, kv{"clip.vision.preproc_image_size", uint32(c.PreprocImageSize)})
		}
	case ProjectorGemma3:
		kvs = append(kvs,
			kv{"clip.use_gelu", true},
			kv{"clip.vision.projector.scale_factor", uint32(c.ScaleFactor)})
	case ProjectorQwen25VL:
		kvs = append(kvs,
			kv{"clip.use_silu", true},
			kv{"clip.vision.n_wa_pattern", uint32(c.WindowAttnPattern)},
			kv{"clip.vision.spatial_merge_size", uint32(c.SpatialMergeSize)})
	}
	return kvs
}
