// Command toyexport writes the toy model's GGUF pair from the weights
// train/train.py saved, through the project's GGUF writer (internal/synth).
//
//	go run ./toy/cmd/toyexport -weights build/toy/weights -o testdata/toy
//
// weights.json maps each GGUF tensor name to its offset in weights.bin
// (float32, little-endian) and its ggml shape; every tensor the pair needs
// must be there with exactly the shape toy.Pair gives it.
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/capgen/capgen/internal/synth"
	"github.com/capgen/capgen/toy"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "toyexport:", err)
		os.Exit(1)
	}
}

type entry struct {
	Offset int      `json:"offset"`
	Shape  []uint64 `json:"shape"`
}

func run(args []string) error {
	fs := flag.NewFlagSet("toyexport", flag.ContinueOnError)
	dir := fs.String("weights", "build/toy/weights", "folder with weights.bin and weights.json")
	out := fs.String("o", "testdata/toy", "output folder")
	if err := fs.Parse(args); err != nil {
		return err
	}
	js, err := os.ReadFile(filepath.Join(*dir, "weights.json"))
	if err != nil {
		return err
	}
	index := map[string]entry{}
	if err := json.Unmarshal(js, &index); err != nil {
		return fmt.Errorf("weights.json: %w", err)
	}
	raw, err := os.ReadFile(filepath.Join(*dir, "weights.bin"))
	if err != nil {
		return err
	}
	vals := make([]float32, len(raw)/4)
	for i := range vals {
		vals[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	v, err := toy.Vocab()
	if err != nil {
		return err
	}
	pair := toy.Pair(v)
	var missing []string
	used := map[string]bool{}
	opt := toy.FileTypes()
	opt.Weights = func(name string, shape []uint64) []float32 {
		e, ok := index[name]
		if !ok {
			missing = append(missing, name)
			return nil
		}
		if !slices.Equal(e.Shape, shape) {
			missing = append(missing, fmt.Sprintf("%s (shape %v, want %v)", name, e.Shape, shape))
			return nil
		}
		n := 1
		for _, d := range shape {
			n *= int(d)
		}
		used[name] = true
		return vals[e.Offset : e.Offset+n]
	}
	tmp, err := os.MkdirTemp(*out, ".toyexport-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	m, mm, err := synth.Write(tmp, pair, opt)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("trained weights lack or misshape %d tensors: %v", len(missing), missing)
	}
	for name := range index {
		if !used[name] {
			return fmt.Errorf("weights.json has tensor %s that the pair does not use", name)
		}
	}
	for _, p := range []string{m, mm} {
		if err := os.Rename(p, filepath.Join(*out, filepath.Base(p))); err != nil {
			return err
		}
		fmt.Println(filepath.Join(*out, filepath.Base(p)))
	}
	return nil
}
