package llama

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadModelMetadata(t *testing.T) {
	for _, fam := range families {
		t.Run(fam, func(t *testing.T) {
			l := loadPair(t, fam)
			md := l.model.Metadata()
			want := map[string]string{"tiny-llava": "llama", "tiny-smolvlm": "llama", "tiny-qwen25vl": "qwen2vl", "tiny-gemma3": "gemma3"}[fam]
			if md.Architecture != want {
				t.Errorf("architecture %q, want %q", md.Architecture, want)
			}
			if md.EmbeddingSize <= 0 || md.Layers <= 0 || md.VocabSize < 256+3 || md.Parameters == 0 {
				t.Errorf("implausible metadata %+v", md)
			}
			if md.ChatTemplate == "" {
				t.Error("no chat template read")
			}
			if md.KV["general.architecture"] != want {
				t.Errorf("KV general.architecture = %q", md.KV["general.architecture"])
			}
			info := l.proj.Info()
			if !info.Vision || info.OutputSize != md.InputEmbeddingSize {
				t.Errorf("projector info %+v vs model input size %d", info, md.InputEmbeddingSize)
			}
			if got := info.MRoPE; got != (fam == "tiny-qwen25vl") {
				t.Errorf("MRoPE = %v", got)
			}
			if got := info.NonCausal; got != (fam == "tiny-gemma3") {
				t.Errorf("NonCausal = %v", got)
			}
		})
	}
}

func TestTokenizeRoundTrip(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	texts := []string{
		"A red circle at the top left.",
		"左上角有一个红色的圆形。",
		"في أعلى اليسار نجمة بنفسجية",
		"ऊपर बाईं ओर एक बैंगनी तारा है।",
		"emoji 🙂 and tabs\tand\nnewlines",
	}
	for _, s := range texts {
		toks, err := l.model.Tokenize(s, TokenizeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(toks) == 0 {
			t.Fatalf("no tokens for %q", s)
		}
		back, err := l.model.Detokenize(toks, false)
		if err != nil {
			t.Fatal(err)
		}
		// SentencePiece adds a space before the first word.
		if strings.TrimPrefix(back, " ") != s {
			t.Errorf("round trip of %q gave %q", s, back)
		}
	}
}

func TestTokenizeSpecial(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	parsed, err := l.model.Tokenize("<|im_start|>user", TokenizeOptions{ParseSpecial: true})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := l.model.Tokenize("<|im_start|>user", TokenizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed) >= len(raw) {
		t.Errorf("parsed special text gave %d tokens, plain %d: the control token was not recognised", len(parsed), len(raw))
	}
	if !l.model.IsControl(parsed[0]) {
		t.Errorf("token %d of <|im_start|> is not a control token", parsed[0])
	}
	withBOS, err := l.model.Tokenize("hi", TokenizeOptions{AddSpecial: true})
	if err != nil {
		t.Fatal(err)
	}
	if md := l.model.Metadata(); md.AddBOS && withBOS[0] != md.BOS {
		t.Errorf("AddSpecial did not add BOS %d: %v", md.BOS, withBOS)
	}
}

func TestChatTemplate(t *testing.T) {
	l := loadPair(t, "tiny-llava")
	msgs := []Message{{Role: "system", Content: "Be brief."}, {Role: "user", Content: "Hallo"}}
	got, err := l.model.ApplyChatTemplate("", msgs, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHallo<|im_end|>\n<|im_start|>assistant\n"
	if got != want {
		t.Errorf("ChatML rendering:\n got %q\nwant %q", got, want)
	}
	gemma := loadPair(t, "tiny-gemma3")
	got, err = gemma.model.ApplyChatTemplate("", msgs[1:], true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "<start_of_turn>user\nHallo<end_of_turn>\n<start_of_turn>model\n") {
		t.Errorf("gemma rendering %q", got)
	}
	if _, err := l.model.ApplyChatTemplate("no such template {{ x }}", msgs, true); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("unknown template: err = %v, want ErrInvalidArgument", err)
	}
	if len(ChatTemplates()) < 10 {
		t.Errorf("ChatTemplates() = %v", ChatTemplates())
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	f := tinyPair(t, "tiny-llava")
	data, err := os.ReadFile(f.model)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope.gguf"), "does not exist"},
		{"directory", dir, "is a directory"},
		{"empty", write("empty.gguf", nil), "too short"},
		{"not gguf", write("photo.jpg", append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 100)...)), "not a GGUF file"},
		{"truncated header", write("head.gguf", data[:200]), ""},
		{"truncated data", write("half.gguf", data[:len(data)/2]), ""},
		{"projector as model", f.mmproj, "mmproj projector"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := LoadModel(context.Background(), c.path, nil)
			if err == nil {
				m.Close()
				t.Fatal("loaded a bad file")
			}
			if !errors.Is(err, ErrBadFile) {
				t.Errorf("err = %v, want ErrBadFile", err)
			}
			var le *Error
			if !errors.As(err, &le) || le.Op != "LoadModel" || le.Path != c.path {
				t.Errorf("err = %#v, want *Error naming LoadModel and the path", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("message %q lacks %q", err, c.want)
			}
		})
	}
}

func TestLoadCancelled(t *testing.T) {
	f := tinyPair(t, "tiny-llava")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadModel(ctx, f.model, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	var calls int
	m, err := LoadModel(context.Background(), f.model, &ModelOptions{Progress: func(float32) bool { calls++; return false }})
	if err == nil {
		m.Close()
		t.Fatal("a load whose progress callback returned false succeeded")
	}
	if calls == 0 {
		t.Error("progress callback never called")
	}
}

func TestProjectorMismatch(t *testing.T) {
	llava := tinyPair(t, "tiny-llava")
	qwen := tinyPair(t, "tiny-qwen25vl")
	m, err := LoadModel(context.Background(), llava.model, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// M-RoPE projector on a model with plain RoPE.
	if _, err := LoadProjector(m, qwen.mmproj, nil); !errors.Is(err, ErrProjectorMismatch) {
		t.Errorf("qwen projector on llama model: err = %v, want ErrProjectorMismatch", err)
	}
	// A text model given as projector.
	if _, err := LoadProjector(m, llava.model, nil); !errors.Is(err, ErrBadFile) {
		t.Errorf("text model as projector: err = %v, want ErrBadFile", err)
	}
	// Embedding size mismatch: the SmolVLM-shaped model is wider.
	big, err := LoadModel(context.Background(), tinyPair(t, "tiny-gemma3").model, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	if big.Metadata().InputEmbeddingSize == m.Metadata().InputEmbeddingSize {
		t.Skip("tiny presets share an embedding size; covered by TestProjectorWidthMismatch")
	}
	if _, err := LoadProjector(big, llava.mmproj, nil); !errors.Is(err, ErrProjectorMismatch) {
		t.Errorf("width mismatch: err = %v, want ErrProjectorMismatch", err)
	}
}

func TestClosed(t *testing.T) {
	f := tinyPair(t, "tiny-llava")
	m, err := LoadModel(context.Background(), f.model, nil)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := LoadProjector(m, f.mmproj, &ProjectorOptions{NoWarmup: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewContext(m, &ContextOptions{Projector: pr, ContextSize: 256})
	if err != nil {
		t.Fatal(err)
	}
	// Closing the model first keeps it alive for the context.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Tokenize("x", TokenizeOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Tokenize after Close: %v", err)
	}
	if _, err := NewContext(m, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("NewContext after Close: %v", err)
	}
	ctx := context.Background()
	if err := c.Append(ctx, 0, Prompt{Text: MediaMarker() + " describe", Images: []Image{testImage(40, 30, 1)}}); err != nil {
		t.Fatalf("context must outlive its model's Close: %v", err)
	}
	for range 2 {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if err := pr.Close(); err != nil {
			t.Fatal(err)
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Append(ctx, 0, Prompt{Text: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v", err)
	}
	if _, _, err := pr.ImageTokens(10, 10); !errors.Is(err, ErrClosed) {
		t.Errorf("ImageTokens after Close: %v", err)
	}
}

func TestDevicesAndSystemInfo(t *testing.T) {
	devs := Devices()
	if len(devs) == 0 || devs[len(devs)-1].Kind == "" {
		t.Fatalf("Devices() = %+v", devs)
	}
	var cpu bool
	for _, d := range devs {
		cpu = cpu || d.Kind == DeviceCPU
	}
	if !cpu {
		t.Errorf("no CPU device in %+v", devs)
	}
	if !strings.Contains(SystemInfo(), "CPU") {
		t.Errorf("SystemInfo() = %q", SystemInfo())
	}
}
