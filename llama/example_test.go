package llama_test

import (
	"context"
	"fmt"
	"os"

	"github.com/capgen/capgen/internal/synth"
	"github.com/capgen/capgen/llama"
)

// Captioning one image: load the model pair once, make a context, append
// the prompt with its image, generate. The pair here is a tiny
// random-weight model, so the text itself is noise.
func Example() {
	dir, _ := os.MkdirTemp("", "capgen-example-")
	defer os.RemoveAll(dir)
	modelPath, mmprojPath, err := synth.Write(dir, synth.TinyLLaVA(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	model, err := llama.LoadModel(ctx, modelPath, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer model.Close()
	proj, err := llama.LoadProjector(model, mmprojPath, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer proj.Close()
	c, err := llama.NewContext(model, &llama.ContextOptions{Projector: proj, ContextSize: 512})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	text, _ := model.ApplyChatTemplate("", []llama.Message{{Role: "user", Content: llama.MediaMarker() + "Describe the image."}}, true)
	img := llama.Image{Width: 2, Height: 1, RGB: []byte{255, 0, 0, 0, 0, 255}} // a red and a blue pixel
	if err := c.Append(ctx, 0, llama.Prompt{Text: text, Images: []llama.Image{img}}); err != nil {
		fmt.Println(err)
		return
	}
	out, err := c.Generate(ctx, []llama.GenerateRequest{{MaxTokens: 5}})
	if err != nil {
		fmt.Println(err)
		return
	}
	st := c.Stats()
	fmt.Println(model.Metadata().Architecture, proj.Info().Type)
	fmt.Println("tokens:", len(out[0].Tokens), "reason:", out[0].Reason, "image encodes:", st.ImageEncodes)
	// Output:
	// llama mlp
	// tokens: 5 reason: length image encodes: 1
}

// Errors name the operation and wrap a sentinel for errors.Is.
func ExampleLoadModel_error() {
	_, err := llama.LoadModel(context.Background(), "missing.gguf", nil)
	fmt.Println(err)
	// Output:
	// llama: LoadModel missing.gguf: file does not exist: not a usable GGUF file
}

// A continuous batch: two sequences run at a time; when one finishes,
// Refill frees it and starts the next image's prompt in its place, while
// the other keeps generating.
func ExampleContext_GenerateWith() {
	dir, _ := os.MkdirTemp("", "capgen-example-")
	defer os.RemoveAll(dir)
	modelPath, mmprojPath, err := synth.Write(dir, synth.TinyLLaVA(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	model, _ := llama.LoadModel(ctx, modelPath, nil)
	defer model.Close()
	proj, _ := llama.LoadProjector(model, mmprojPath, nil)
	defer proj.Close()
	c, err := llama.NewContext(model, &llama.ContextOptions{Projector: proj, ContextSize: 1024, MaxSequences: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	text, _ := model.ApplyChatTemplate("", []llama.Message{{Role: "user", Content: llama.MediaMarker() + "Describe the image."}}, true)
	images := []llama.Image{
		{Width: 1, Height: 1, RGB: []byte{255, 0, 0}},
		{Width: 1, Height: 1, RGB: []byte{0, 255, 0}},
		{Width: 1, Height: 1, RGB: []byte{0, 0, 255}},
		{Width: 1, Height: 1, RGB: []byte{255, 255, 0}},
	}
	next := 0
	start := func(seq int) llama.GenerateRequest {
		c.Append(ctx, seq, llama.Prompt{Text: text, Images: []llama.Image{images[next]}})
		next++
		return llama.GenerateRequest{Seq: seq, MaxTokens: 2 + 2*seq} // different lengths
	}
	first := []llama.GenerateRequest{start(0), start(1)}
	out, err := c.GenerateWith(ctx, first, &llama.GenerateOptions{Refill: func(done []llama.Completion) ([]llama.GenerateRequest, error) {
		var more []llama.GenerateRequest
		for _, d := range done {
			c.RemoveSequence(d.Seq) // its KV cells are free again
			if next < len(images) {
				more = append(more, start(d.Seq))
			}
		}
		return more, nil
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("captions:", len(out), "KV cells in use:", c.Used())
	// Output:
	// captions: 4 KV cells in use: 0
}
