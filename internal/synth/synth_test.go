package synth

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	parser "github.com/gpustack/gguf-parser-go"

	"github.com/capgen/capgen/gguf"
)

var tinyPresets = []struct {
	name string
	pair func() Pair
}{
	{"tiny-llava", TinyLLaVA},
	{"tiny-smolvlm", TinySmolVLM},
	{"tiny-qwen25vl", TinyQwen25VL},
	{"tiny-gemma3", TinyGemma3},
}

// parse reads a file with gguf-parser-go, the independent reader.
func parse(t *testing.T, path string) *parser.GGUFFile {
	t.Helper()
	gf, err := parser.ParseGGUFFile(path)
	if err != nil {
		t.Fatalf("gguf-parser-go: %s: %v", path, err)
	}
	return gf
}

func kvUint(t *testing.T, gf *parser.GGUFFile, key string) uint64 {
	t.Helper()
	kv, ok := gf.Header.MetadataKV.Get(key)
	if !ok {
		t.Fatalf("key %s missing", key)
	}
	return parser.ValueNumeric[uint64](kv)
}

func kvString(t *testing.T, gf *parser.GGUFFile, key string) string {
	t.Helper()
	kv, ok := gf.Header.MetadataKV.Get(key)
	if !ok {
		t.Fatalf("key %s missing", key)
	}
	return kv.ValueString()
}

// checkTable compares a file's tensor-info table, as gguf-parser-go reads
// it, with the specs the writer was given.
func checkTable(t *testing.T, gf *parser.GGUFFile, specs []tensorSpec, typ gguf.TensorType) {
	t.Helper()
	if len(gf.TensorInfos) != len(specs) {
		t.Fatalf("%d tensors, want %d", len(gf.TensorInfos), len(specs))
	}
	for i, s := range specs {
		ti := gf.TensorInfos[i]
		if ti.Name != s.name || !slices.Equal(ti.Dimensions, s.shape) || uint32(ti.Type) != uint32(s.typeFor(typ)) {
			t.Errorf("tensor %d: %s %v %v, want %s %v %v", i, ti.Name, ti.Dimensions, ti.Type, s.name, s.shape, s.typeFor(typ))
		}
	}
}

func TestTinyPairs(t *testing.T) {
	for _, tp := range tinyPresets {
		for _, typ := range []gguf.TensorType{gguf.F32, gguf.Q8_0} {
			t.Run(fmt.Sprintf("%s/%v", tp.name, typ), func(t *testing.T) {
				p := tp.pair()
				opt := &WriteOptions{Type: typ, VisionType: typ, Seed: 1}
				model, mmproj, err := Write(t.TempDir(), p, opt)
				if err != nil {
					t.Fatal(err)
				}
				checkTinyPair(t, p, model, mmproj, typ)
			})
		}
	}
}

func checkTinyPair(t *testing.T, p Pair, model, mmproj string, typ gguf.TensorType) {
	var total int64
	for _, f := range []string{model, mmproj} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		total += st.Size()
	}
	if total > 2<<20 {
		t.Errorf("pair is %d bytes, want under 2 MiB", total)
	}

	// Text model, through gguf-parser-go.
	tm := parse(t, model)
	arch := string(p.Text.Arch)
	if got := kvString(t, tm, "general.architecture"); got != arch {
		t.Errorf("architecture %q, want %q", got, arch)
	}
	for key, want := range map[string]uint64{
		arch + ".embedding_length":        uint64(p.Text.EmbeddingLength),
		arch + ".block_count":             uint64(p.Text.BlockCount),
		arch + ".feed_forward_length":     uint64(p.Text.FeedForwardLength),
		arch + ".attention.head_count":    uint64(p.Text.HeadCount),
		arch + ".attention.head_count_kv": uint64(p.Text.HeadCountKV),
		arch + ".context_length":          uint64(p.Text.ContextLength),
		"tokenizer.ggml.bos_token_id":     uint64(p.Text.Vocab.BOS),
		"tokenizer.ggml.eos_token_id":     uint64(p.Text.Vocab.EOS),
		"general.file_type":               uint64(gguf.FileTypeOf(typ)),
	} {
		if got := kvUint(t, tm, key); got != want {
			t.Errorf("%s = %d, want %d", key, got, want)
		}
	}
	if got := kvString(t, tm, "tokenizer.ggml.model"); got != "llama" {
		t.Errorf("tokenizer model %q", got)
	}
	if got := kvString(t, tm, "tokenizer.chat_template"); got != p.Text.Vocab.ChatTemplate {
		t.Errorf("chat template differs")
	}
	tokKV, _ := tm.Header.MetadataKV.Get("tokenizer.ggml.tokens")
	tokens := tokKV.ValueArray().ValuesString()
	typKV, _ := tm.Header.MetadataKV.Get("tokenizer.ggml.token_type")
	types := typKV.ValueArray().ValuesInt32()
	if len(tokens) != len(p.Text.Vocab.Tokens) || len(types) != len(tokens) {
		t.Fatalf("%d tokens and %d types, want %d", len(tokens), len(types), len(p.Text.Vocab.Tokens))
	}
	for b := 0; b < 256; b++ {
		want := fmt.Sprintf("<0x%02X>", b)
		i := slices.Index(tokens, want)
		if i < 0 || types[i] != int32(TokenByte) {
			t.Fatalf("byte token %s missing or not of type byte", want)
		}
	}
	emb, _ := tm.TensorInfos.Get("token_embd.weight")
	if emb.Dimensions[1] != uint64(len(tokens)) {
		t.Errorf("token_embd rows %d, vocabulary %d", emb.Dimensions[1], len(tokens))
	}
	checkTable(t, tm, p.Text.textTensors(), typ)
	if r := arch + ".rope.dimension_sections"; p.Text.Arch == ArchQwen2VL {
		kv, ok := tm.Header.MetadataKV.Get(r)
		if !ok || !slices.Equal(kv.ValueArray().ValuesInt32(), p.Text.RopeSections[:]) {
			t.Errorf("%s missing or wrong", r)
		}
	}

	// Projector, through gguf-parser-go.
	pm := parse(t, mmproj)
	if got := kvString(t, pm, "general.architecture"); got != "clip" {
		t.Errorf("projector architecture %q", got)
	}
	if got := kvString(t, pm, "clip.projector_type"); got != string(p.Vision.Projector) {
		t.Errorf("projector type %q, want %q", got, p.Vision.Projector)
	}
	for key, want := range map[string]uint64{
		"clip.vision.image_size":           uint64(p.Vision.ImageSize),
		"clip.vision.patch_size":           uint64(p.Vision.PatchSize),
		"clip.vision.embedding_length":     uint64(p.Vision.EmbeddingLength),
		"clip.vision.feed_forward_length":  uint64(p.Vision.FeedForwardLength),
		"clip.vision.block_count":          uint64(p.Vision.BlockCount),
		"clip.vision.attention.head_count": uint64(p.Vision.HeadCount),
		"clip.vision.projection_dim":       uint64(p.Text.EmbeddingLength),
		"general.file_type":                uint64(gguf.FileTypeOf(typ)),
	} {
		if got := kvUint(t, pm, key); got != want {
			t.Errorf("%s = %d, want %d", key, got, want)
		}
	}
	checkTable(t, pm, p.Vision.visionTensors(), typ)

	// The projector's output size, read the way llama.cpp reads it, fits
	// the text model: mtmd would refuse the pair otherwise.
	tf, err := gguf.ReadMetadata(model)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := gguf.ReadMetadata(mmproj)
	if err != nil {
		t.Fatal(err)
	}
	te, err := tf.TextEmbeddingLength()
	if err != nil {
		t.Fatal(err)
	}
	pe, err := pf.ProjectorEmbeddingLength()
	if err != nil {
		t.Fatal(err)
	}
	if te != pe || te != p.Text.EmbeddingLength {
		t.Errorf("text embeds %d, projector outputs %d, config says %d", te, pe, p.Text.EmbeddingLength)
	}
	name, dim := p.Vision.OutputEmbeddingTensor()
	if ti, ok := pf.Tensor(name); !ok || ti.Shape[dim] != uint64(pe) {
		t.Errorf("OutputEmbeddingTensor %s[%d] does not hold %d", name, dim, pe)
	}

	textParams, visionParams, _ := Params(p)
	if uint64(tm.ModelParameters) != textParams || uint64(pm.ModelParameters) != visionParams {
		t.Errorf("parameters %d + %d, Params says %d + %d", tm.ModelParameters, pm.ModelParameters, textParams, visionParams)
	}
}

// The full-size presets are checked from their layout alone: files are
// written sparse (headers and a hole where the weights go) and read back
// by gguf-parser-go; the parameter counts are the published ones.
func TestPresetLayouts(t *testing.T) {
	presets := []struct {
		name   string
		pair   func() Pair
		params uint64 // published total
	}{
		// Model cards and Hugging Face's safetensors metadata.
		{"smolvlm-256m", SmolVLM256M, 256_484_928},
		{"qwen25vl-3b", Qwen25VL3B, 3_754_622_976},
		{"gemma3-4b", Gemma3_4B, 4_300_079_472},
	}
	for _, pr := range presets {
		t.Run(pr.name, func(t *testing.T) {
			p := pr.pair()
			opt := &WriteOptions{Type: gguf.Q8_0, VisionType: gguf.F16, LayoutOnly: true}
			model, mmproj, err := Write(t.TempDir(), p, opt)
			if err != nil {
				t.Fatal(err)
			}
			tm, pm := parse(t, model), parse(t, mmproj)
			checkTable(t, tm, p.Text.textTensors(), gguf.Q8_0)
			checkTable(t, pm, p.Vision.visionTensors(), gguf.F16)
			total := uint64(tm.ModelParameters) + uint64(pm.ModelParameters)
			if diff := float64(total)/float64(pr.params) - 1; diff > 0.02 || diff < -0.02 {
				t.Errorf("%d parameters, published %d (%.2f%% off)", total, pr.params, 100*diff)
			}
			if got := kvUint(t, tm, string(p.Text.Arch)+".vocab_size"); got != uint64(len(p.Text.Vocab.Tokens)) {
				t.Errorf("vocab_size %d", got)
			}
			tf, _ := gguf.ReadMetadata(model)
			pf, _ := gguf.ReadMetadata(mmproj)
			te, _ := tf.TextEmbeddingLength()
			pe, err := pf.ProjectorEmbeddingLength()
			if err != nil || te != pe {
				t.Errorf("text embeds %d, projector outputs %d (%v)", te, pe, err)
			}
			// Q8_0 text weights make the file about 1.06 bytes a parameter.
			if bpw := float64(tm.ModelSize) * 8 / float64(tm.ModelParameters); bpw < 8.4 || bpw > 8.8 {
				t.Errorf("text model at %.2f bits per weight, want about 8.5 for Q8_0", bpw)
			}
		})
	}
}

func TestDeterministicAndSeeded(t *testing.T) {
	read := func(seed uint64) []byte {
		dir := t.TempDir()
		path := filepath.Join(dir, "m.gguf")
		if err := WriteText(path, TinyLLaVA().Text, &WriteOptions{Seed: seed, Workers: int(seed%3) + 1}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := read(5), read(5), read(6)
	if !bytes.Equal(a, b) {
		t.Error("same seed gave different files")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same file")
	}
}

// Real weights passed through WriteOptions.Weights end up in the file
// exactly (F32), and a wrong number of values is an error.
func TestWeightsOverride(t *testing.T) {
	p := TinyLLaVA()
	want := make([]float32, 64*128)
	for i := range want {
		want[i] = float32(i) / 1000
	}
	asked := map[string][]uint64{}
	opt := &WriteOptions{Weights: func(name string, shape []uint64) []float32 {
		asked[name] = shape
		if name == "blk.1.ffn_gate.weight" {
			return want
		}
		return nil
	}}
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := WriteText(path, p.Text, opt); err != nil {
		t.Fatal(err)
	}
	if len(asked) != len(p.Text.textTensors()) {
		t.Errorf("asked for %d tensors, model has %d", len(asked), len(p.Text.textTensors()))
	}
	if !slices.Equal(asked["blk.1.ffn_gate.weight"], []uint64{64, 128}) {
		t.Errorf("ffn_gate asked with shape %v", asked["blk.1.ffn_gate.weight"])
	}
	f, err := gguf.ReadMetadata(path)
	if err != nil {
		t.Fatal(err)
	}
	ti, _ := f.Tensor("blk.1.ffn_gate.weight")
	blob, _ := os.ReadFile(path)
	start := f.DataOffset + ti.Offset
	got, err := gguf.DecodeRow(nil, ti.Type, blob[start:start+ti.Size()], int(ti.Elements()))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("weights in the file differ from those given")
	}

	opt.Weights = func(name string, _ []uint64) []float32 {
		if name == "output.weight" {
			return make([]float32, 10)
		}
		return nil
	}
	if err := WriteText(path, p.Text, opt); err == nil || !strings.Contains(err.Error(), "output.weight") {
		t.Errorf("short weights: error %v, want one naming output.weight", err)
	}
}

// Random weights are small and norms are one, so a randomly initialised
// network's activations stay finite.
func TestRandomInit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := WriteText(path, TinyGemma3().Text, nil); err != nil {
		t.Fatal(err)
	}
	f, _ := gguf.ReadMetadata(path)
	blob, _ := os.ReadFile(path)
	values := func(name string) []float32 {
		ti, ok := f.Tensor(name)
		if !ok {
			t.Fatalf("no tensor %s", name)
		}
		start := f.DataOffset + ti.Offset
		v, _ := gguf.DecodeRow(nil, ti.Type, blob[start:start+ti.Size()], int(ti.Elements()))
		return v
	}
	for _, v := range values("blk.0.attn_q_norm.weight") {
		if v != 1 {
			t.Fatalf("norm weight %g, want 1", v)
		}
	}
	var sum, sq float64
	w := values("blk.0.ffn_up.weight")
	for _, v := range w {
		sum += float64(v)
		sq += float64(v) * float64(v)
	}
	mean, meanSq := sum/float64(len(w)), sq/float64(len(w))
	if mean > 0.002 || mean < -0.002 || meanSq < 0.0003 || meanSq > 0.0005 {
		t.Errorf("ffn_up mean %g, mean square %g; want about 0 and 0.02² = 0.0004", mean, meanSq)
	}
}

func TestValidateRejects(t *testing.T) {
	cases := map[string]func(p *Pair){
		"projection mismatch":   func(p *Pair) { p.Vision.ProjectionDim = 32 },
		"heads":                 func(p *Pair) { p.Text.HeadCountKV = 3 },
		"ff equals embedding":   func(p *Pair) { p.Vision.FeedForwardLength = p.Vision.EmbeddingLength },
		"patch":                 func(p *Pair) { p.Vision.PatchSize = 5 },
		"no vocab":              func(p *Pair) { p.Text.Vocab = Vocab{} },
		"architecture":          func(p *Pair) { p.Text.Arch = "mamba" },
		"projector type":        func(p *Pair) { p.Vision.Projector = "ldp" },
		"one mlp layer":         func(p *Pair) { p.Vision.BlockCount = 1 },
		"no name":               func(p *Pair) { p.Name = "" },
		"bad special id":        func(p *Pair) { p.Text.Vocab.BOS = 5000 },
		"add bos without bos":   func(p *Pair) { p.Text.Vocab.BOS = NoToken },
		"zero eps":              func(p *Pair) { p.Text.RMSNormEps = 0 },
		"odd head for rope":     func(p *Pair) { p.Text.EmbeddingLength = 60; p.Text.HeadCount = 4 },
		"missing byte token":    func(p *Pair) { p.Text.Vocab.Tokens[100].Text = "zzz-not-a-byte" },
		"duplicate token":       func(p *Pair) { p.Text.Vocab.Tokens[500].Text = p.Text.Vocab.Tokens[501].Text },
		"empty token":           func(p *Pair) { p.Text.Vocab.Tokens[500].Text = "" },
		"zero image std":        func(p *Pair) { p.Vision.ImageStd[1] = 0 },
		"negative dimension":    func(p *Pair) { p.Text.BlockCount = -1 },
		"qwen sections":         func(p *Pair) { *p = TinyQwen25VL(); p.Text.RopeSections = [4]int32{4, 4, 4, 0} },
		"qwen window pattern":   func(p *Pair) { *p = TinyQwen25VL(); p.Vision.WindowAttnPattern = 0 },
		"idefics3 scale factor": func(p *Pair) { *p = TinySmolVLM(); p.Vision.ScaleFactor = 3 },
		"gemma3 pooling":        func(p *Pair) { *p = TinyGemma3(); p.Vision.ScaleFactor = 3 },
	}
	for name, mutate := range cases {
		p := TinyLLaVA()
		mutate(&p)
		if err := p.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, tp := range tinyPresets {
		p := tp.pair()
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", tp.name, err)
		}
	}
}

func TestUnsupportedWeightType(t *testing.T) {
	err := WriteText(filepath.Join(t.TempDir(), "m.gguf"), TinyLLaVA().Text, &WriteOptions{Type: gguf.Q4_K})
	if err == nil {
		t.Error("Q4_K weights accepted")
	}
}

func TestPresetByName(t *testing.T) {
	for _, name := range PresetNames() {
		p, err := Preset(name)
		if err != nil || p.Validate() != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Preset("nope"); err == nil {
		t.Error("unknown preset accepted")
	}
}
