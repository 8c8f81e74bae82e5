package batch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/capgen/capgen"
	"github.com/capgen/capgen/batch"
	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/sidecar"
)

// A folder (here: one drawn scene) captioned in two languages by the toy
// model, with the results in a resumable journal.
func ExampleRun() {
	ctx := context.Background()
	toy := filepath.Join("..", "testdata", "toy")
	e, err := caption.Load(ctx, filepath.Join(toy, capgen.ToyModelFile), filepath.Join(toy, capgen.ToyProjectorFile),
		&caption.LoadOptions{Projector: llama.ProjectorOptions{NoWarmup: true}}, &caption.Options{Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	out, _ := os.MkdirTemp("", "capgen-example-")
	defer os.RemoveAll(out)

	paths, err := batch.Collect([]string{filepath.Join("..", "testdata", "scene.png")}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	langs, _ := caption.ParseLanguages("de,ja")
	journal := filepath.Join(out, "captions.jsonl")
	sum, err := batch.Run(ctx, e, paths, &batch.Options{
		Request: caption.Request{Languages: langs},
		Journal: journal,
		OnEvent: func(ev batch.Event) { fmt.Println(ev.Status, filepath.Base(ev.File), ev.Done, "of", ev.Total) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.Captioned, "captioned,", sum.Failed, "failed")

	records, _, _ := sidecar.ReadJournal(journal)
	for _, raw := range records {
		var r batch.Record
		json.Unmarshal(raw, &r)
		for _, c := range r.Captions {
			fmt.Printf("%s: %s\n", c.Language.Tag, c.Text)
		}
	}
	// Output:
	// ok scene.png 1 of 1
	// 1 captioned, 0 failed
	// de: Ein gelbes Dreieck oben links, ein grüner Stern unten links und ein blaues Dreieck unten rechts.
	// ja: 左上に黄色い三角形、左下に緑の星、右下に青い三角形があります。
}
