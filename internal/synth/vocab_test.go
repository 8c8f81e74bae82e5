package synth

import (
	"fmt"
	"testing"
)

func TestFamilyVocabs(t *testing.T) {
	families := []struct {
		name    string
		spec    VocabSpec
		markers []string // must each be one control token
		bos     string
		eos     string
	}{
		{"chatml", ChatMLVocab(600), []string{"<|im_start|>", "<|im_end|>"}, "<s>", "</s>"},
		{"smolvlm", SmolVLMVocab(600), []string{"<fake_token_around_image>", "<global-img>", "<image>", "<row_1_col_1>", "<row_6_col_6>", "<end_of_utterance>"}, "<|im_start|>", "<end_of_utterance>"},
		{"qwen", Qwen25VLVocab(600), []string{"<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|im_start|>", "<|im_end|>"}, "<|endoftext|>", "<|im_end|>"},
		{"gemma3", Gemma3Vocab(600), []string{"<start_of_image>", "<end_of_image>", "<start_of_turn>", "<end_of_turn>"}, "<bos>", "<eos>"},
	}
	for _, f := range families {
		v, err := NewVocab(f.spec)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		if len(v.Tokens) != 600 {
			t.Errorf("%s: %d tokens, want 600", f.name, len(v.Tokens))
		}
		for _, m := range f.markers {
			id := v.ID(m)
			if id == NoToken || v.Tokens[id].Type != TokenControl {
				t.Errorf("%s: marker %s missing or not a control token", f.name, m)
			}
		}
		if v.Tokens[v.BOS].Text != f.bos || v.Tokens[v.EOS].Text != f.eos {
			t.Errorf("%s: BOS %q EOS %q", f.name, v.Tokens[v.BOS].Text, v.Tokens[v.EOS].Text)
		}
		// Byte tokens follow the specials in byte order, as in Llama's
		// SentencePiece model, so byte b is token first+b.
		first := v.ID("<0x00>")
		for b := 0; b < 256; b++ {
			tok := v.Tokens[first+b]
			if tok.Text != fmt.Sprintf("<0x%02X>", b) || tok.Type != TokenByte {
				t.Fatalf("%s: token %d is %+v, want byte %#02x", f.name, first+b, tok, b)
			}
		}
		// Normal pieces score in decreasing order, so SentencePiece merges
		// prefer the earlier ones.
		last := float32(1)
		for _, tok := range v.Tokens {
			if tok.Type == TokenNormal {
				if tok.Score >= last {
					t.Fatalf("%s: score of %q does not decrease", f.name, tok.Text)
				}
				last = tok.Score
			}
		}
	}
}

// mtmd opens an idefics3 overview image with the token whose text is
// "\n\n": it must exist, as a normal piece that also tokenizes text.
func TestSmolVLMHasDoubleNewline(t *testing.T) {
	v := mustVocab(SmolVLMVocab(400))
	id := v.ID("\n\n")
	if id == NoToken || v.Tokens[id].Type != TokenNormal {
		t.Fatal(`no normal "\n\n" token`)
	}
}

func TestVocabFillerDeterministicAndUnique(t *testing.T) {
	a := mustVocab(Gemma3Vocab(40000))
	b := mustVocab(Gemma3Vocab(40000))
	if len(a.Tokens) != 40000 {
		t.Fatalf("%d tokens", len(a.Tokens))
	}
	for i := range a.Tokens {
		if a.Tokens[i] != b.Tokens[i] {
			t.Fatalf("token %d differs between builds", i)
		}
	}
	if err := a.Validate(); err != nil { // includes uniqueness
		t.Fatal(err)
	}
	if a.ID("▁the") == NoToken || a.ID("▁zz") == NoToken {
		t.Error("expected common and n-gram pieces")
	}
}

func TestCustomVocab(t *testing.T) {
	v, err := NewVocab(VocabSpec{
		Specials: []Token{{Text: "<unk>", Type: TokenUnknown}, {Text: "<s>"}, {Text: "</s>"}, {Text: "<obj>", Type: TokenUserDefined}},
		Pieces:   []Token{{Text: "▁Katze", Score: -1}, {Text: "▁chat", Score: -2}, {Text: "▁gato", Score: -3}},
		BOS:      "<s>", EOS: "</s>", UNK: "<unk>",
		AddBOS: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tokens) != 4+256+3 || v.ID("▁Katze") != 260 || v.Tokens[3].Type != TokenUserDefined {
		t.Errorf("unexpected layout: %d tokens, ▁Katze at %d", len(v.Tokens), v.ID("▁Katze"))
	}
	if k := v.Tokens[260]; k.Score != -1 || k.Type != TokenNormal {
		t.Errorf("piece %+v, want score -1 and type normal", k)
	}
	// A hand-made token list is accepted as it is.
	v.Tokens = append(v.Tokens, Token{Text: "▁Hund", Score: -10, Type: TokenNormal})
	if err := v.Validate(); err != nil {
		t.Error(err)
	}

	bad := []VocabSpec{
		{Specials: []Token{{Text: "<s>"}, {Text: "<s>"}}},
		{Specials: []Token{{Text: "<s>"}}, BOS: "<bos>"},
		{Specials: []Token{{Text: "<s>"}}, Size: 100},
		{Specials: []Token{{Text: "<s>"}}, Pieces: []Token{{Text: "<s>"}}},
	}
	for i, spec := range bad {
		if _, err := NewVocab(spec); err == nil {
			t.Errorf("bad spec %d accepted", i)
		}
	}
}
