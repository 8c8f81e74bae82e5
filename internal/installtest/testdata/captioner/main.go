// Command captioner captions an image in German and Japanese with the toy
// model embedded in capgen (any GGUF model pair works the same way: pass
// its two paths to caption.Load).
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/vision"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: captioner IMAGE")
	}
	ctx := context.Background()
	model, mmproj, err := toy.Files() // writes the embedded toy model into the cache once
	if err != nil {
		log.Fatal(err)
	}
	eng, err := caption.Load(ctx, model, mmproj, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()

	img, err := vision.Load(os.Args[1], nil) // decoded in Go, EXIF orientation applied
	if err != nil {
		log.Fatal(err)
	}
	langs, err := caption.ParseLanguages("de,ja")
	if err != nil {
		log.Fatal(err)
	}
	res, err := eng.Describe(ctx, &caption.Request{Image: img, Languages: langs})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range res.Captions {
		fmt.Printf("%s: %s\n", c.Language, c.Text)
	}
}
