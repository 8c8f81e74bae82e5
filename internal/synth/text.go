package synth

import "fmt"

// textTensors lists the tensors llama.cpp's load_tensors creates for the
// architecture (src/llama-model.cpp), with exactly the optional ones a real
// conversion has. llama.cpp refuses a file with tensors it did not ask for
// ("wrong number of tensors"), so this list must be exact.
func (c *TextConfig) textTensors() []tensorSpec {
	n := c.EmbeddingLength
	vocab := len(c.Vocab.Tokens)
	hd := c.headDim()
	q := hd * c.HeadCount
	kv := hd * c.HeadCountKV
	ff := c.FeedForwardLength

	ts := []tensorSpec{weight("token_embd.weight", n, vocab)}
	for i := 0; i < c.BlockCount; i++ {
		b := func(s string) string { return fmt.Sprintf("blk.%d.%s", i, s) }
		ts = append(ts, norm(b("attn_norm.weight"), n))
		ts = append(ts,
			weight(b("attn_q.weight"), n, q),
			weight(b("attn_k.weight"), n, kv),
			weight(b("attn_v.weight"), n, kv),
		)
		if c.AttentionBias {
			ts = append(ts, bias(b("attn_q.bias"), q), bias(b("attn_k.bias"), kv), bias(b("attn_v.bias"), kv))
		}
		ts = append(ts, weight(b("attn_output.weight"), q, n))
		if c.Arch == ArchGemma3 {
			ts = append(ts,
				norm(b("attn_q_norm.weight"), hd),
				norm(b("attn_k_norm.weight"), hd),
				norm(b("post_attention_norm.weight"), n),
			)
		}
		ts = append(ts,
			norm(b("ffn_norm.weight"), n),
			weight(b("ffn_gate.weight"), n, ff),
			weight(b("ffn_up.weight"), n, ff),
			weight(b("ffn_down.weight"), ff, n),
		)
		if c.Arch == ArchGemma3 {
			ts = append(ts, norm(b("post_ffw_norm.weight"), n))
		}
	}
	ts = append(ts, norm("output_norm.weight", n))
	if !c.TiedEmbeddings {
		ts = append(ts, weight("output.weight", n, vocab))
	}
	return ts
}

// textKVs lists the metadata llama.cpp's load_hparams and the vocabulary
// loader read for the architecture, with the GGUF types they assert.
func (c *TextConfig) textKVs() []kv {
	a := string(c.Arch) + "."
	hd := c.headDim()
	kvs := []kv{
		{"general.architecture", string(c.Arch)},
		{"general.name", c.Name},
		{a + "vocab_size", uint32(len(c.Vocab.Tokens))},
		{a + "context_length", uint32(c.ContextLength)},
		{a + "embedding_length", uint32(c.EmbeddingLength)},
		{a + "block_count", uint32(c.BlockCount)},
		{a + "feed_forward_length", uint32(c.FeedForwardLength)},
		{a + "attention.head_count", uint32(c.HeadCount)},
		{a + "attention.head_count_kv", uint32(c.HeadCountKV)},
		{a + "attention.layer_norm_rms_epsilon", c.RMSNormEps},
		{a + "rope.dimension_count", uint32(hd)},
	}
	if c.HeadDim != 0 && c.HeadDim*c.HeadCount != c.EmbeddingLength {
		kvs = append(kvs,
			kv{a + "attention.key_length", uint32(hd)},
			kv{a + "attention.value_length", uint32(hd)})
	}
	if c.RopeFreqBase != 0 {
		kvs = append(kvs, kv{a + "rope.freq_base", c.RopeFreqBase})
	}
	if c.RopeScalingFactor != 0 {
		kvs = append(kvs,
			kv{a + "rope.scaling.type", "linear"},
			kv{a + "rope.scaling.factor", c.RopeScalingFactor})
	}
	switch c.Arch {
	case ArchQwen2VL:
		kvs = append(kvs, kv{a + "rope.dimension_sections", c.RopeSections[:]})
	case ArchGemma3:
		if c.SlidingWindow > 0 {
			kvs = append(kvs, kv{a + "attention.sliding_window", uint32(c.SlidingWindow)})
		}
	}
	return append(kvs, c.Vocab.kvs()...)
}

// kvs are the tokenizer.* keys.
func (v *Vocab) kvs() []kv {
	texts := make([]string, len(v.Tokens))
	scores := make([]float32, len(v.Tokens))
	types := make([]int32, len(v.Tokens))
	for i, t := range v.Tokens {
		texts[i], scores[i], types[i] = t.Text, t.Score, int32(t.Type)
	}
	kvs := []kv{
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", texts},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
	}
	for _, s := range []struct {
		key string
		id  int
	}{
		{"tokenizer.ggml.bos_token_id", v.BOS},
		{"tokenizer.ggml.eos_token_id", v.EOS},
		{"tokenizer.ggml.unknown_token_id", v.UNK},
		{"tokenizer.ggml.padding_token_id", v.PAD},
	} {
		if s.id != NoToken {
			kvs = append(kvs, kv{s.key, uint32(s.id)})
		}
	}
	kvs = append(kvs,
		kv{"tokenizer.ggml.add_bos_token", v.AddBOS},
		kv{"tokenizer.ggml.add_eos_token", v.AddEOS},
		kv{"tokenizer.ggml.add_space_prefix", v.AddSpacePrefix},
	)
	if v.ChatTemplate != "" {
		kvs = append(kvs, kv{"tokenizer.chat_template", v.ChatTemplate})
	}
	return kvs
}

// kv is a metadata pair before it goes to a gguf.Writer.
type kv struct {
	key   string
	value any
}
