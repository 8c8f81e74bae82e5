package synth_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/capgen/capgen/gguf"
	"github.com/capgen/capgen/internal/synth"
)

// Write a tiny LLaVA-style pair for a unit test and check, the way the
// llama package should before calling mtmd, that the projector's output
// fits the text model.
func ExampleWrite() {
	dir, err := os.MkdirTemp("", "synth")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	model, mmproj, err := synth.Write(dir, synth.TinyLLaVA(), nil)
	if err != nil {
		log.Fatal(err)
	}
	tf, _ := gguf.ReadMetadata(model)
	pf, _ := gguf.ReadMetadata(mmproj)
	te, _ := tf.TextEmbeddingLength()
	pe, _ := pf.ProjectorEmbeddingLength()
	fmt.Println(filepath.Base(model), tf.Architecture(), te)
	fmt.Println(filepath.Base(mmproj), pf.ProjectorType(), pe)
	// Output:
	// tiny-llava-F32.gguf llama 64
	// mmproj-tiny-llava-F32.gguf mlp 64
}

// Count the parameters of a full-size preset without writing anything.
func ExampleParams() {
	text, vision, err := synth.Params(synth.Qwen25VL3B())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("text %d, vision %d, total %d\n", text, vision, text+vision)
	// Output:
	// text 3085938688, vision 668684288, total 3754622976
}

// Export a model trained elsewhere: a custom vocabulary, and real weights
// for the tensors given (the others stay random).
func ExampleWriteText() {
	vocab, err := synth.NewVocab(synth.VocabSpec{
		Specials:     []synth.Token{{Text: "<unk>", Type: synth.TokenUnknown}, {Text: "<s>"}, {Text: "</s>"}},
		Pieces:       []synth.Token{{Text: "▁a", Score: -1}, {Text: "▁red", Score: -2}, {Text: "▁circle", Score: -3}},
		BOS:          "<s>",
		EOS:          "</s>",
		UNK:          "<unk>",
		AddBOS:       true,
		ChatTemplate: synth.ChatMLTemplate,
	})
	if err != nil {
		log.Fatal(err)
	}
	cfg := synth.TinyLLaVA().Text
	cfg.Vocab = vocab
	trained := map[string][]float32{
		// PyTorch's [out, in] weight, row-major, is ggml's [in, out].
		"output_norm.weight": make([]float32, cfg.EmbeddingLength),
	}
	path := filepath.Join(os.TempDir(), "toy.gguf")
	defer os.Remove(path)
	err = synth.WriteText(path, cfg, &synth.WriteOptions{
		Type:    gguf.F16,
		Weights: func(name string, shape []uint64) []float32 { return trained[name] },
	})
	if err != nil {
		log.Fatal(err)
	}
	f, _ := gguf.ReadMetadata(path)
	emb, _ := f.Tensor("token_embd.weight")
	fmt.Println(emb.Type, emb.Shape)
	// Output:
	// F16 [64 262]
}
