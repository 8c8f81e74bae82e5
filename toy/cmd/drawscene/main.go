// Command drawscene renders one toy scene to a PNG and prints its caption,
// to look at what the toy model is trained on.
//
//	go run ./toy/cmd/drawscene -seed 1 -size 640x480 -o out.png -lang de
//
// The same seed always gives the same scene and picture (scene.NewRand).
package main

import (
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"

	"github.com/capgen/capgen/toy/scene"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "drawscene:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("drawscene", flag.ContinueOnError)
	seed := fs.Uint64("seed", 1, "random seed")
	size := fs.String("size", "640x480", "image size, WIDTHxHEIGHT")
	grid := fs.Int("grid", 2, "grid size: 2 (2x2) or 3 (3x3)")
	fill := fs.Float64("fill", 0.6, "chance that a cell holds a shape")
	out := fs.String("o", "scene.png", "output PNG file")
	lang := fs.String("lang", "en", "caption language, or all")
	clean := fs.Bool("clean", false, "no noise and no colour tint")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var w, h int
	if _, err := fmt.Sscanf(*size, "%dx%d", &w, &h); err != nil || w <= 0 || h <= 0 {
		return fmt.Errorf("-size %q: want WIDTHxHEIGHT, both positive", *size)
	}
	if *grid != 2 && *grid != 3 {
		return fmt.Errorf("-grid %d: want 2 or 3", *grid)
	}
	if !(*fill > 0 && *fill <= 1) {
		return fmt.Errorf("-fill %v: want a chance in (0, 1]", *fill)
	}
	langs := []string{*lang}
	if *lang == "all" {
		langs = scene.Languages()
	}
	rng := scene.NewRand(*seed)
	s := scene.Random(rng, &scene.RandomOptions{Rows: *grid, Cols: *grid, Fill: *fill})
	captions := make([]string, len(langs))
	for i, l := range langs {
		c, err := scene.Caption(s, l)
		if err != nil {
			return err
		}
		captions[i] = c
	}
	var opts *scene.RenderOptions
	if *clean {
		opts = &scene.RenderOptions{Noise: -1, Tint: -1}
	}
	img := scene.Render(s, w, h, rng, opts)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", *out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", *out, err)
	}
	for i, c := range captions {
		if len(langs) > 1 {
			fmt.Fprintf(stdout, "%s: ", langs[i])
		}
		fmt.Fprintln(stdout, c)
	}
	return nil
}
