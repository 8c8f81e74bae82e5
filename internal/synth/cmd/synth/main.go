// Command synth writes a random-weight GGUF model pair (text model and
// mmproj projector) with the shapes of a preset.
//
//	go run ./internal/synth/cmd/synth -preset tiny-llava -o DIR
//	go run ./internal/synth/cmd/synth -preset qwen25vl-3b -type q8_0 -o DIR
//	go run ./internal/synth/cmd/synth -list
//
// It prints the paths of the two files it wrote.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/capgen/capgen/gguf"
	"github.com/capgen/capgen/internal/synth"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	preset := fs.String("preset", "", "preset to write (see -list)")
	dir := fs.String("o", ".", "output directory")
	typ := fs.String("type", "", "text weight type: f32, f16, bf16, q8_0, q4_0 (default f32 for tiny presets, f16 otherwise)")
	vtyp := fs.String("vision-type", "", "projector weight type (default: f32 for tiny presets, f16 otherwise)")
	seed := fs.Uint64("seed", 0, "random seed")
	layout := fs.Bool("layout-only", false, "write headers and sparse data only (all weights zero)")
	list := fs.Bool("list", false, "list presets with their parameter counts and exit")
	quiet := fs.Bool("q", false, "no progress output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		return listPresets()
	}
	if *preset == "" {
		return fmt.Errorf("-preset is required (one of %s)", strings.Join(synth.PresetNames(), ", "))
	}
	p, err := synth.Preset(*preset)
	if err != nil {
		return err
	}
	def := "f16"
	if strings.HasPrefix(*preset, "tiny-") {
		def = "f32"
	}
	opt := &synth.WriteOptions{Seed: *seed, LayoutOnly: *layout}
	if opt.Type, err = parseType(*typ, def); err != nil {
		return err
	}
	if opt.VisionType, err = parseType(*vtyp, def); err != nil {
		return err
	}
	if !*quiet {
		last := time.Now()
		opt.Progress = func(path string, written, total uint64) {
			if time.Since(last) < time.Second && written != total {
				return
			}
			last = time.Now()
			fmt.Fprintf(os.Stderr, "\r%s: %5.1f%% of %d MiB", path, 100*float64(written)/float64(total), total>>20)
			if written == total {
				fmt.Fprintln(os.Stderr)
			}
		}
	}
	model, mmproj, err := synth.Write(*dir, p, opt)
	if err != nil {
		return err
	}
	fmt.Println(model)
	fmt.Println(mmproj)
	return nil
}

func parseType(s, def string) (gguf.TensorType, error) {
	if s == "" {
		s = def
	}
	return gguf.ParseTensorType(s)
}

func listPresets() error {
	for _, name := range synth.PresetNames() {
		p, _ := synth.Preset(name)
		text, vision, err := synth.Params(p)
		if err != nil {
			return err
		}
		fmt.Printf("%-14s %-24s text %7.1fM  vision %7.1fM  total %7.1fM\n",
			name, p.Name, float64(text)/1e6, float64(vision)/1e6, float64(text+vision)/1e6)
	}
	return nil
}
