package synth

import "fmt"

// Chat templates, one per family, in the formats the real models use.
// llama.cpp's llama_chat_apply_template does not run Jinja: it recognises a
// template by marker strings (<|im_start|> for ChatML, <|im_start|> with
// <end_of_utterance> for SmolVLM, <start_of_turn> for Gemma) and formats
// with built-in code, so each template below carries its family's markers.
// Jinja engines get a working template too.
const (
	// ChatMLTemplate is the ChatML turn format.
	ChatMLTemplate = `{% for message in messages %}` +
		`{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}` +
		`{% endfor %}` +
		`{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}`

	// SmolVLMTemplate is SmolVLM's "User: ...<end_of_utterance>" format
	// after a leading <|im_start|>; content may be a string or a list of
	// text and image parts, an image part becoming <image>.
	SmolVLMTemplate = `<|im_start|>` +
		`{% for message in messages %}` +
		`{{ message['role'] | capitalize }}` +
		`{% if message['content'] is string %}{{ ': ' + message['content'] }}` +
		`{% else %}` +
		`{% if message['content'][0]['type'] == 'image' %}{{ ':' }}{% else %}{{ ': ' }}{% endif %}` +
		`{% for part in message['content'] %}` +
		`{% if part['type'] == 'text' %}{{ part['text'] }}{% elif part['type'] == 'image' %}{{ '<image>' }}{% endif %}` +
		`{% endfor %}` +
		`{% endif %}` +
		`{{ '<end_of_utterance>\n' }}` +
		`{% endfor %}` +
		`{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}`

	// Qwen25VLTemplate is ChatML with Qwen's default system turn and each
	// image part written as <|vision_start|><|image_pad|><|vision_end|>.
	Qwen25VLTemplate = `{% for message in messages %}` +
		`{% if loop.first and message['role'] != 'system' %}` +
		`{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}` +
		`{% endif %}` +
		`{{ '<|im_start|>' + message['role'] + '\n' }}` +
		`{% if message['content'] is string %}{{ message['content'] }}` +
		`{% else %}{% for part in message['content'] %}` +
		`{% if part['type'] == 'image' or 'image' in part or 'image_url' in part %}` +
		`{{ '<|vision_start|><|image_pad|><|vision_end|>' }}` +
		`{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}` +
		`{% endfor %}{% endif %}` +
		`{{ '<|im_end|>\n' }}` +
		`{% endfor %}` +
		`{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}`

	// Gemma3Template is Gemma's turn format: roles user and model, a system
	// message folded into the first user turn, images as <start_of_image>.
	Gemma3Template = `{{ bos_token }}` +
		`{% if messages[0]['role'] == 'system' %}` +
		`{% set prefix = messages[0]['content'] + '\n\n' %}{% set turns = messages[1:] %}` +
		`{% else %}{% set prefix = '' %}{% set turns = messages %}{% endif %}` +
		`{% for message in turns %}` +
		`{% set role = 'model' if message['role'] == 'assistant' else message['role'] %}` +
		`{{ '<start_of_turn>' + role + '\n' + (prefix if loop.first else '') }}` +
		`{% if message['content'] is string %}{{ message['content'] | trim }}` +
		`{% else %}{% for part in message['content'] %}` +
		`{% if part['type'] == 'image' %}{{ '<start_of_image>' }}` +
		`{% elif part['type'] == 'text' %}{{ part['text'] | trim }}{% endif %}` +
		`{% endfor %}{% endif %}` +
		`{{ '<end_of_turn>\n' }}` +
		`{% endfor %}` +
		`{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}`
)

// sentencePieceSpecials are the three tokens Llama's SentencePiece model
// starts with.
var sentencePieceSpecials = []Token{
	{Text: "<unk>", Type: TokenUnknown},
	{Text: "<s>"},
	{Text: "</s>"},
}

// ChatMLVocab is a Llama-style vocabulary (<unk>, <s>, </s>, byte tokens,
// a leading space added to text) with ChatML turn tokens and LLaVA's
// <image> placeholder, of the given total size.
func ChatMLVocab(size int) VocabSpec {
	return VocabSpec{
		Specials: append(append([]Token(nil), sentencePieceSpecials...),
			Token{Text: "<|im_start|>"}, Token{Text: "<|im_end|>"}, Token{Text: "<image>", Type: TokenUserDefined}),
		Size:           size,
		BOS:            "<s>",
		EOS:            "</s>",
		UNK:            "<unk>",
		AddBOS:         true,
		AddSpacePrefix: true,
		ChatTemplate:   ChatMLTemplate,
	}
}

// SmolVLMVocab carries the tokens SmolVLM's template and llama.cpp's
// idefics3 image layout use: <|im_start|> (SmolVLM's BOS, written by the
// template itself), <end_of_utterance> (its EOS), <fake_token_around_image>,
// <global-img>, <image>, <row_R_col_C> for a tile grid up to 6×6, and a
// "\n\n" piece, which mtmd looks up to open the overview image.
func SmolVLMVocab(size int) VocabSpec {
	specials := append([]Token(nil), sentencePieceSpecials...)
	specials = append(specials,
		Token{Text: "<|im_start|>"}, Token{Text: "<|im_end|>"}, Token{Text: "<end_of_utterance>"},
		Token{Text: "<fake_token_around_image>"}, Token{Text: "<image>"}, Token{Text: "<global-img>"})
	for r := 1; r <= 6; r++ {
		for c := 1; c <= 6; c++ {
			specials = append(specials, Token{Text: fmt.Sprintf("<row_%d_col_%d>", r, c)})
		}
	}
	return VocabSpec{
		Specials:     specials,
		Pieces:       pieces("\n\n", "User", ":", "Assistant"),
		Size:         size,
		BOS:          "<|im_start|>",
		EOS:          "<end_of_utterance>",
		UNK:          "<unk>",
		PAD:          "<|im_end|>",
		ChatTemplate: SmolVLMTemplate,
	}
}

// Qwen25VLVocab carries Qwen's ChatML and vision tokens. Like Qwen, it adds
// no BOS; <|endoftext|> is BOS and padding, <|im_end|> the EOS.
func Qwen25VLVocab(size int) VocabSpec {
	specials := append([]Token(nil), sentencePieceSpecials...)
	for _, s := range []string{
		"<|endoftext|>", "<|im_start|>", "<|im_end|>",
		"<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
	} {
		specials = append(specials, Token{Text: s})
	}
	return VocabSpec{
		Specials:     specials,
		Size:         size,
		BOS:          "<|endoftext|>",
		EOS:          "<|im_end|>",
		UNK:          "<unk>",
		PAD:          "<|endoftext|>",
		ChatTemplate: Qwen25VLTemplate,
	}
}

// Gemma3Vocab follows Gemma's layout (<pad> 0, <eos> 1, <bos> 2, <unk> 3,
// no space prefix) with its turn and image tokens.
func Gemma3Vocab(size int) VocabSpec {
	return VocabSpec{
		Specials: []Token{
			{Text: "<pad>"}, {Text: "<eos>"}, {Text: "<bos>"}, {Text: "<unk>", Type: TokenUnknown},
			{Text: "<start_of_turn>"}, {Text: "<end_of_turn>"},
			{Text: "<start_of_image>"}, {Text: "<end_of_image>"}, {Text: "<image_soft_token>"},
		},
		Pieces:       pieces("\n\n", "user", "model"),
		Size:         size,
		BOS:          "<bos>",
		EOS:          "<eos>",
		UNK:          "<unk>",
		PAD:          "<pad>",
		AddBOS:       true,
		ChatTemplate: Gemma3Template,
	}
}

// pieces makes normal pieces scored in the order given.
func pieces(texts ...string) []Token {
	ts := make([]Token, len(texts))
	for i, t := range texts {
		ts[i] = Token{Text: t, Score: -float32(i), Type: TokenNormal}
	}
	return ts
}
