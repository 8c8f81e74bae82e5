package synth

import (
	"errors"
	"fmt"

	"github.com/capgen/capgen/gguf"
)

// Arch is a text model architecture, the value of general.architecture.
type Arch string

// Text architectures this package writes.
const (
	// ArchLlama is the plain Llama decoder (LLaVA's Vicuna, SmolVLM's
	// SmolLM2): RMSNorm, rotary embeddings, SwiGLU, grouped-query attention.
	ArchLlama Arch = "llama"
	// ArchQwen2VL is the Qwen2-VL / Qwen2.5-VL decoder: Qwen2 with q/k/v
	// biases and multimodal rotary embeddings (M-RoPE) whose rotary
	// dimensions are split into temporal, height and width sections.
	ArchQwen2VL Arch = "qwen2vl"
	// ArchGemma3 is the Gemma 3 decoder: q/k norms, post-attention and
	// post-FFN norms, interleaved sliding-window attention, GeGLU.
	ArchGemma3 Arch = "gemma3"
)

// TextConfig describes a text model. Field names follow the GGUF keys they
// become (<arch>.embedding_length and so on); the matching Hugging Face
// config.json names are given where they differ.
type TextConfig struct {
	// Name is general.name.
	Name string
	Arch Arch
	// ContextLength is the training context (max_position_embeddings).
	ContextLength int
	// EmbeddingLength is the hidden size (hidden_size): the size of the
	// embeddings the projector must produce.
	EmbeddingLength int
	// BlockCount is the number of decoder layers (num_hidden_layers).
	BlockCount int
	// FeedForwardLength is the MLP inner size (intermediate_size).
	FeedForwardLength int
	// HeadCount and HeadCountKV are num_attention_heads and
	// num_key_value_heads.
	HeadCount   int
	HeadCountKV int
	// HeadDim is the size of one attention head (head_dim); 0 means
	// EmbeddingLength/HeadCount. Written as attention.key_length and
	// value_length when it differs from that.
	HeadDim int
	// RMSNormEps is rms_norm_eps.
	RMSNormEps float32
	// RopeFreqBase is rope_theta.
	RopeFreqBase float32
	// RopeScalingFactor is a linear RoPE scaling factor (Gemma 3 4B and up
	// use 8 on global layers); 0 means none.
	RopeScalingFactor float32
	// RopeSections are the M-RoPE sections (rope_scaling.mrope_section,
	// padded with a zero) of ArchQwen2VL; they count rotary pairs and sum to
	// HeadDim/2.
	RopeSections [4]int32
	// SlidingWindow is the local attention window of ArchGemma3.
	SlidingWindow int
	// AttentionBias adds q/k/v biases (Qwen2 has them).
	AttentionBias bool
	// TiedEmbeddings leaves out output.weight, so that llama.cpp reuses
	// token_embd.weight as the LM head (tie_word_embeddings).
	TiedEmbeddings bool
	// Vocab is the tokenizer; its size sets the embedding rows.
	Vocab Vocab
}

// headDim is the attention head size.
func (c *TextConfig) headDim() int {
	if c.HeadDim != 0 {
		return c.HeadDim
	}
	if c.HeadCount == 0 {
		return 0
	}
	return c.EmbeddingLength / c.HeadCount
}

// Validate reports the first inconsistency llama.cpp would refuse or
// trip over when loading a model of this shape.
func (c *TextConfig) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("synth: text model %q: %w", c.Name, err)
	}
	return nil
}

func (c *TextConfig) validate() error {
	switch c.Arch {
	case ArchLlama, ArchQwen2VL, ArchGemma3:
	default:
		return fmt.Errorf("unsupported architecture %q", c.Arch)
	}
	if c.ContextLength <= 0 || c.EmbeddingLength <= 0 || c.BlockCount <= 0 ||
		c.FeedForwardLength <= 0 || c.HeadCount <= 0 || c.HeadCountKV <= 0 {
		return errors.New("context, embedding, block, feed-forward and head counts must all be positive")
	}
	if c.HeadCount%c.HeadCountKV != 0 {
		return fmt.Errorf("%d heads cannot be grouped over %d KV heads", c.HeadCount, c.HeadCountKV)
	}
	hd := c.headDim()
	if hd <= 0 || hd%2 != 0 {
		return fmt.Errorf("head size %d must be positive and even for RoPE", hd)
	}
	if c.HeadDim == 0 && c.EmbeddingLength%c.HeadCount != 0 {
		return fmt.Errorf("embedding length %d is not a multiple of %d heads", c.EmbeddingLength, c.HeadCount)
	}
	switch c.Arch {
	case ArchLlama:
		// llama.cpp insists n_rot == head size for llama, and builds q
		// and k as n_embd wide.
		if hd*c.HeadCount != c.EmbeddingLength {
			return fmt.Errorf("llama needs head size × heads = embedding length, got %d×%d != %d", hd, c.HeadCount, c.EmbeddingLength)
		}
	case ArchQwen2VL:
		if hd*c.HeadCount != c.EmbeddingLength {
			return fmt.Errorf("qwen2vl needs head size × heads = embedding length, got %d×%d != %d", hd, c.HeadCount, c.EmbeddingLength)
		}
		var sum int32
		for _, s := range c.RopeSections {
			if s < 0 {
				return fmt.Errorf("negative M-RoPE section in %v", c.RopeSections)
			}
			sum += s
		}
		if int(sum) != hd/2 {
			return fmt.Errorf("M-RoPE sections %v sum to %d, want head size / 2 = %d", c.RopeSections, sum, hd/2)
		}
	case ArchGemma3:
		if c.SlidingWindow < 0 {
			return errors.New("negative sliding window")
		}
	}
	if c.RMSNormEps <= 0 {
		return errors.New("RMS norm epsilon must be positive")
	}
	return c.Vocab.Validate()
}

// ProjectorType is a vision projector type, the value of
// clip.projector_type in an mmproj file.
type ProjectorType string

// Projector types this package writes.
const (
	// ProjectorMLP is LLaVA-1.5's CLIP ViT with a two-layer GELU MLP.
	ProjectorMLP ProjectorType = "mlp"
	// ProjectorIdefics3 is Idefics3/SmolVLM's SigLIP with pixel shuffle
	// (space-to-depth by ScaleFactor) and one linear layer, applied to an
	// overview image and up to PreprocImageSize/ImageSize tiles per side.
	ProjectorIdefics3 ProjectorType = "idefics3"
	// ProjectorQwen25VL is Qwen2.5-VL's ViT: two patch-embedding kernels
	// (the two frames of a temporal patch), RMSNorm, SwiGLU, 2D M-RoPE,
	// window attention with full attention every WindowAttnPattern layers,
	// and a 2×2 patch merger MLP.
	ProjectorQwen25VL ProjectorType = "qwen2.5vl_merger"
	// ProjectorGemma3 is Gemma 3's SigLIP with average pooling by
	// ScaleFactor, a soft-embedding RMSNorm and a linear projection.
	ProjectorGemma3 ProjectorType = "gemma3"
)

// VisionConfig describes an mmproj file: a vision encoder and the
// projector that maps its output to the text model's embeddings.
type VisionConfig struct {
	// Name is general.name.
	Name      string
	Projector ProjectorType
	// ImageSize is the square input size of the encoder (image_size);
	// PatchSize is its patch size.
	ImageSize int
	PatchSize int
	// EmbeddingLength, FeedForwardLength, BlockCount and HeadCount are the
	// encoder's hidden_size, intermediate_size, num_hidden_layers (depth)
	// and num_attention_heads.
	EmbeddingLength   int
	FeedForwardLength int
	BlockCount        int
	HeadCount         int
	// LayerNormEps is layer_norm_eps.
	LayerNormEps float32
	// ImageMean and ImageStd normalise pixels scaled to [0, 1].
	ImageMean [3]float32
	ImageStd  [3]float32
	// ProjectionDim is the size of the embeddings the projector outputs:
	// it must equal the text model's EmbeddingLength.
	ProjectionDim int
	// MLPHidden is the inner size of the ProjectorMLP MLP (mm.0's output);
	// 0 means ProjectionDim, as in LLaVA-1.5.
	MLPHidden int
	// ScaleFactor is the pixel-shuffle factor of ProjectorIdefics3 and the
	// pooling kernel of ProjectorGemma3 (llama.cpp assumes 4 for Gemma 3
	// when the key is absent; it is always written here).
	ScaleFactor int
	// PreprocImageSize is the longest edge Idefics3/SmolVLM resizes an
	// image to before cutting it into ImageSize tiles
	// (preprocessor size.longest_edge); 0 leaves only the overview image.
	PreprocImageSize int
	// WindowAttnPattern makes every WindowAttnPattern-th layer of the
	// Qwen2.5-VL encoder use full attention and the others window attention
	// (fullatt_block_indexes 7, 15, 23, 31 is a pattern of 8).
	WindowAttnPattern int
	// SpatialMergeSize is the Qwen patch merger's side (2).
	SpatialMergeSize int
}

// Validate reports the first inconsistency clip.cpp would refuse or trip
// over when loading a projector of this shape.
func (c *VisionConfig) Validate() error {
	if err := c.validate(); err != nil {
		return fmt.Errorf("synth: projector %q: %w", c.Name, err)
	}
	return nil
}

func (c *VisionConfig) validate() error {
	if c.ImageSize <= 0 || c.PatchSize <= 0 || c.EmbeddingLength <= 0 || c.FeedForwardLength <= 0 ||
		c.BlockCount <= 0 || c.HeadCount <= 0 || c.ProjectionDim <= 0 {
		return errors.New("image, patch, embedding, feed-forward, block, head and projection sizes must be positive")
	}
	if c.EmbeddingLength%c.HeadCount != 0 {
		return fmt.Errorf("embedding length %d is not a multiple of %d heads", c.EmbeddingLength, c.HeadCount)
	}
	// clip.cpp swaps ffn_up and ffn_down of older projector types when
	// ffn_down's first dimension equals the embedding length, which is
	// always so when the two sizes are equal.
	if c.FeedForwardLength == c.EmbeddingLength {
		return errors.New("feed-forward length must differ from the embedding length (clip.cpp would swap up and down)")
	}
	if c.LayerNormEps <= 0 {
		return errors.New("layer norm epsilon must be positive")
	}
	for i := range c.ImageStd {
		if c.ImageStd[i] <= 0 {
			return errors.New("image std must be positive")
		}
	}
	if c.ImageSize%c.PatchSize != 0 {
		return fmt.Errorf("image size %d is not a multiple of the patch size %d", c.ImageSize, c.PatchSize)
	}
	side := c.ImageSize / c.PatchSize
	switch c.Projector {
	case ProjectorMLP:
		if c.BlockCount < 2 {
			// LLaVA takes the features of the second-to-last layer.
			return errors.New("the mlp projector needs at least 2 encoder layers")
		}
	case ProjectorIdefics3:
		if c.ScaleFactor < 2 || side%c.ScaleFactor != 0 {
			return fmt.Errorf("scale factor %d must be at least 2 and divide the %d patches per side", c.ScaleFactor, side)
		}
		if c.PreprocImageSize != 0 && c.PreprocImageSize < c.ImageSize {
			return fmt.Errorf("preprocessing size %d is smaller than the image size %d", c.PreprocImageSize, c.ImageSize)
		}
	case ProjectorQwen25VL:
		if c.WindowAttnPattern <= 0 {
			return errors.New("qwen2.5vl needs a window attention pattern")
		}
		if c.SpatialMergeSize != 2 {
			return errors.New("the qwen2.5vl merger graph is built for a spatial merge size of 2")
		}
		if (c.EmbeddingLength/c.HeadCount)%4 != 0 {
			return errors.New("qwen2.5vl head size must be a multiple of 4 for its 2D rotary sections")
		}
	case ProjectorGemma3:
		if c.ScaleFactor < 1 || side%c.ScaleFactor != 0 {
			return fmt.Errorf("pooling size %d must divide the %d patches per side", c.ScaleFactor, side)
		}
	default:
		return fmt.Errorf("unsupported projector type %q", c.Projector)
	}
	return nil
}

// OutputEmbeddingTensor names the mmproj tensor and dimension (ggml order)
// that llama.cpp's clip_n_mmproj_embd reads as the projector's output
// size, from gguf's projector table.
func (c *VisionConfig) OutputEmbeddingTensor() (name string, dim int) {
	p, ok := gguf.LookupProjector(string(c.Projector))
	if !ok {
		return "", 0
	}
	return p.OutputTensor, p.OutputDim
}

// Pair is a text model and the projector that feeds it images.
type Pair struct {
	// Name is the stem of the file names (see Write).
	Name   string
	Text   TextConfig
	Vision VisionConfig
}

// Validate checks both halves and that the projector's output size
// matches the text model's embeddings, which mtmd insists on.
func (p *Pair) Validate() error {
	if p.Name == "" {
		return errors.New("synth: pair has no name")
	}
	if err := p.Text.Validate(); err != nil {
		return err
	}
	if err := p.Vision.Validate(); err != nil {
		return err
	}
	if p.Vision.ProjectionDim != p.Text.EmbeddingLength {
		return fmt.Errorf("synth: pair %q: projector outputs %d but the text model embeds %d",
			p.Name, p.Vision.ProjectionDim, p.Text.EmbeddingLength)
	}
	return nil
}
