package caption_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"os"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/models/synth"
	"github.com/capgen/capgen/vision"
)

// Captions in three languages from one image encode. The model here is a
// tiny random-weight pair, so the texts are noise; the counts are not.
func ExampleEngine_Describe() {
	dir, _ := os.MkdirTemp("", "capgen-example-")
	defer os.RemoveAll(dir)
	modelPath, mmprojPath, err := synth.Write(dir, synth.TinyLLaVA(), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	eng, err := caption.Load(ctx, modelPath, mmprojPath,
		&caption.LoadOptions{Projector: llama.ProjectorOptions{NoWarmup: true}}, &caption.Options{Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()

	m := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range m.Pix {
		m.Pix[i] = 200
	}
	m.Set(10, 10, color.RGBA{255, 0, 0, 255})
	langs, _ := caption.ParseLanguages("de,ja,sw")
	res, err := eng.Describe(ctx, &caption.Request{
		Image:      vision.FromImage(m, nil),
		Languages:  langs,
		Generation: caption.Generation{MaxTokens: 4},
		NoRetry:    true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range res.Captions {
		fmt.Println(c.Language, c.Tokens, c.Stop)
	}
	fmt.Println("image encodes:", res.Timings.ImageEncodes)
	// Output:
	// de 4 length
	// ja 4 length
	// sw 4 length
	// image encodes: 1
}
