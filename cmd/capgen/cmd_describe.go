package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

// describeOptions are the flags of `capgen describe`.
type describeOptions struct {
	Model, MMProj string
	Prompt        string
	MaxTokens     int
	MaxSide       int
	Threads       int
	GPULayers     int
	ContextSize   int
	Temperature   float64
	Seed          uint
	Verbose       bool
}

func describeCommand() *cli.Command {
	var o describeOptions
	return &cli.Command{
		Name:      "describe",
		Usage:     "caption an image",
		ArgsUsage: "IMAGE",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model", Usage: "GGUF text model file", Destination: &o.Model, Required: true},
			&cli.StringFlag{Name: "mmproj", Usage: "GGUF projector (mmproj) file of the model", Destination: &o.MMProj, Required: true},
			&cli.StringFlag{Name: "prompt", Usage: "instruction to the model", Value: "Describe this image in one sentence.", Destination: &o.Prompt},
			&cli.IntFlag{Name: "max-tokens", Usage: "most tokens to generate", Value: 96, Destination: &o.MaxTokens},
			&cli.IntFlag{Name: "max-side", Usage: "resize the image so its longer side is at most this many pixels", Value: 1024, Destination: &o.MaxSide},
			&cli.IntFlag{Name: "threads", Usage: "CPU threads (0 = all cores up to 16)", Destination: &o.Threads},
			&cli.IntFlag{Name: "gpu-layers", Usage: "layers on the GPU (0 = all, -1 = none)", Destination: &o.GPULayers},
			&cli.IntFlag{Name: "ctx-size", Usage: "context size in tokens (0 = 4096)", Destination: &o.ContextSize},
			&cli.Float64Flag{Name: "temperature", Usage: "sampling temperature (0 = greedy)", Destination: &o.Temperature},
			&cli.UintFlag{Name: "seed", Usage: "sampling seed", Destination: &o.Seed},
			&cli.BoolFlag{Name: "verbose", Usage: "show llama.cpp's log", Destination: &o.Verbose},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("describe takes one image file, got %d arguments", c.NArg())
			}
			return runDescribe(c.Context, c.App.Writer, o, c.Args().First())
		},
	}
}

func runDescribe(ctx context.Context, w io.Writer, o describeOptions, path string) error {
	if o.Verbose {
		llama.SetLogger(stderrLogger())
	}
	if o.MaxTokens <= 0 {
		return usagef("--max-tokens must be positive, got %d", o.MaxTokens)
	}
	img, err := vision.Load(path, nil)
	if err != nil {
		return usageError{err}
	}
	if o.MaxSide > 0 {
		if img, err = vision.ResizeMax(img, o.MaxSide, vision.Lanczos); err != nil {
			return err
		}
	}
	model, err := llama.LoadModel(ctx, o.Model, &llama.ModelOptions{GPULayers: o.GPULayers})
	if err != nil {
		return inputError(err)
	}
	defer model.Close()
	proj, err := llama.LoadProjector(model, o.MMProj, &llama.ProjectorOptions{Threads: o.Threads})
	if err != nil {
		return inputError(err)
	}
	defer proj.Close()
	lctx, err := llama.NewContext(model, &llama.ContextOptions{ContextSize: o.ContextSize, Threads: o.Threads, Projector: proj})
	if err != nil {
		return err
	}
	defer lctx.Close()

	text, err := model.ApplyChatTemplate("", []llama.Message{{Role: "user", Content: llama.MediaMarker() + o.Prompt}}, true)
	if err != nil {
		return err
	}
	rgb := img.RGB()
	prompt := llama.Prompt{Text: text, Images: []llama.Image{{RGB: rgb.Pix, Width: rgb.Width, Height: rgb.Height}}, AddSpecial: true}
	if err := lctx.Append(ctx, 0, prompt); err != nil {
		return inputError(err)
	}
	out, err := lctx.Generate(ctx, []llama.GenerateRequest{{
		MaxTokens: o.MaxTokens,
		Sampling:  llama.Sampling{Temperature: float32(o.Temperature), Seed: uint32(o.Seed)},
	}})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, strings.TrimSpace(out[0].Text))
	return err
}

// inputError marks llama errors caused by the user's files as usage errors.
func inputError(err error) error {
	if errors.Is(err, llama.ErrBadFile) || errors.Is(err, llama.ErrProjectorMismatch) || errors.Is(err, llama.ErrNoVision) || errors.Is(err, llama.ErrContextFull) {
		return usageError{err}
	}
	return err
}

