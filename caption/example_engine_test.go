package caption_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"slices"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/internal/synth"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/toy/scene"
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

// Several images in one continuous batch, with the toy model embedded in
// capgen (toy.Files), which reads drawn scenes of coloured shapes: the
// captions of both images decode together.
func ExampleEngine_DescribeBatch() {
	modelPath, mmprojPath, err := toy.Files()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	eng, err := caption.Load(ctx, modelPath, mmprojPath,
		&caption.LoadOptions{Projector: llama.ProjectorOptions{NoWarmup: true, Threads: 1}}, &caption.Options{Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()

	draw := func(cells ...scene.Cell) *vision.Image {
		s := scene.Scene{Rows: 2, Cols: 2, Cells: cells}
		return vision.FromImage(scene.Render(s, 480, 360, scene.NewRand(1), nil), nil)
	}
	langs, _ := caption.ParseLanguages("en,de")
	reqs := []*caption.Request{
		{Image: draw(scene.Cell{Filled: true, Shape: scene.Star, Colour: scene.Red}, scene.Cell{}, scene.Cell{}, scene.Cell{Filled: true, Shape: scene.Circle, Colour: scene.Blue}), Languages: langs},
		{Image: draw(scene.Cell{}, scene.Cell{Filled: true, Shape: scene.Square, Colour: scene.Green}, scene.Cell{}, scene.Cell{}), Languages: langs},
	}
	results, errs := eng.DescribeBatch(ctx, reqs)
	for i, res := range results {
		if errs[i] != nil {
			fmt.Println(errs[i])
			continue
		}
		for _, c := range res.Captions {
			fmt.Printf("%d %s: %s\n", i, c.Language, c.Text)
		}
	}
	// Output:
	// 0 en: A red star at the top left and a blue circle at the bottom right.
	// 0 de: Ein roter Stern oben links und ein blauer Kreis unten rechts.
	// 1 en: A green square at the top right.
	// 1 de: Ein grünes Quadrat oben rechts.
}

// A stream of images through one continuous batch: requests join the
// running decode as they arrive on the channel, and each answer comes back
// as soon as it is finished.
func ExampleEngine_DescribeStream() {
	modelPath, mmprojPath, err := toy.Files()
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	eng, err := caption.Load(ctx, modelPath, mmprojPath,
		&caption.LoadOptions{Projector: llama.ProjectorOptions{NoWarmup: true, Threads: 1}}, &caption.Options{Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()

	fr := caption.MustLookupLanguage("fr")
	in := make(chan *caption.Request, eng.MaxSequences())
	go func() {
		defer close(in)
		for i, sh := range []scene.Shape{scene.Triangle, scene.Star, scene.Square} {
			cells := make([]scene.Cell, 4)
			cells[i] = scene.Cell{Filled: true, Shape: sh, Colour: scene.Yellow}
			img := vision.FromImage(scene.Render(scene.Scene{Rows: 2, Cols: 2, Cells: cells}, 480, 360, scene.NewRand(1), nil), nil)
			in <- &caption.Request{Image: img, Languages: []caption.Language{fr}}
		}
	}()
	var texts []string
	_, err = eng.DescribeStream(ctx, in, func(req *caption.Request, res *caption.Result, err error) {
		if err != nil {
			fmt.Println(err)
			return
		}
		texts = append(texts, res.Captions[0].Text)
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Answers come in the order they finish; sorted for the example.
	slices.Sort(texts)
	for _, t := range texts {
		fmt.Println(t)
	}
	// Output:
	// Un carré jaune en bas à gauche.
	// Un triangle jaune en haut à gauche.
	// Une étoile jaune en haut à droite.
}
