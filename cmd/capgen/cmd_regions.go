package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/vision"
)

type regionsOptions struct {
	modelOptions
	mismatchOptions
	Langs     string
	Boxes     cli.StringSlice
	BoxesFile string
	BoxFormat string
	Words     int
	Margin    float64
	Format    string
}

func regionsCommand() *cli.Command {
	var o regionsOptions
	return &cli.Command{
		Name:      "regions",
		Usage:     "caption boxes of an image",
		ArgsUsage: "IMAGE",
		Flags: append(o.modelOptions.flags(),
			langFlag(&o.Langs),
			&cli.StringSliceFlag{Name: "box", Usage: "a box x0,y0,x1,y1 (repeat the flag for more)", Destination: &o.Boxes},
			&cli.StringFlag{Name: "boxes", Usage: "JSON file with a list of boxes [[x0,y0,x1,y1], ...]", Destination: &o.BoxesFile},
			&cli.StringFlag{Name: "box-format", Usage: "pixels, normalized (0-1) or per1000 (0-1000, as Qwen2-VL and Qwen3-VL)", Value: "pixels", Destination: &o.BoxFormat},
			&cli.IntFlag{Name: "words", Usage: "word budget per caption", Value: 10, Destination: &o.Words},
			&cli.Float64Flag{Name: "margin", Usage: "context margin around each box, as a fraction of its size (negative = none)", Value: 0.15, Destination: &o.Margin},
			formatFlag(&o.Format),
			o.mismatchOptions.flags(false)[0],
		),
		Action: oneImage("regions", func(c *cli.Context, path string) error {
			return runRegions(c.Context, c.App.Writer, o, path)
		}),
	}
}

func runRegions(ctx context.Context, w io.Writer, o regionsOptions, path string) error {
	if err := o.mismatchOptions.parse(); err != nil {
		return err
	}
	langs, err := parseLangs(o.Langs)
	if err != nil {
		return err
	}
	if err := checkFormat(o.Format); err != nil {
		return err
	}
	format, err := vision.ParseBoxFormat(o.BoxFormat)
	if err != nil {
		return usageError{fmt.Errorf("--box-format: %w", err)}
	}
	var boxes []vision.Box
	for _, s := range o.Boxes.Value() {
		b, err := vision.ParseBox(s)
		if err != nil {
			return usageError{fmt.Errorf("--box %q: %w", s, err)}
		}
		boxes = append(boxes, b)
	}
	if o.BoxesFile != "" {
		data, err := os.ReadFile(o.BoxesFile)
		if err != nil {
			return usageError{fmt.Errorf("--boxes: %w", err)}
		}
		var list []vision.Box
		if err := json.Unmarshal(data, &list); err != nil {
			return usageError{fmt.Errorf("--boxes %s: want a JSON list of boxes [x0,y0,x1,y1]: %w", o.BoxesFile, err)}
		}
		boxes = append(boxes, list...)
	}
	if len(boxes) == 0 {
		return usagef("no boxes: give --box x0,y0,x1,y1 or --boxes FILE.json")
	}
	if err := o.checkDecode(); err != nil {
		return err
	}
	img, err := vision.Load(path, o.decodeOptions(reduceRegions))
	if err != nil {
		return usageError{err}
	}
	for i, b := range boxes {
		if boxes[i], err = vision.FromFormat(b, format, img.View()); err != nil {
			return usageError{fmt.Errorf("box %d: %w", i, err)}
		}
	}
	e, err := o.engine(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	o.warnUnclaimed(ctx, langs)
	res, err := e.Regions(ctx, &caption.RegionsRequest{Image: img, Boxes: boxes, Words: o.Words, Margin: o.Margin, Languages: langs, OnMismatch: o.policy})
	if err != nil {
		return err
	}
	var caps []labeled
	for _, r := range res.Regions {
		for _, c := range r.Captions {
			caps = append(caps, labeled{fmt.Sprintf("box %d %s", r.Index, c.Language.Tag), c})
		}
	}
	if o.Format != "text" {
		if err := writeJSON(w, o.Format, struct {
			File string `json:"file"`
			*caption.RegionsResult
		}{path, res}); err != nil {
			return err
		}
		return checkCaptions(ctx, o.policy, "", caps)
	}
	for _, r := range res.Regions {
		for _, c := range r.Captions {
			if c.Failed() {
				continue
			}
			if _, err := fmt.Fprintf(w, "%s\t%s\t%s\n", r.Box, c.Language.Tag, c.Text); err != nil {
				return err
			}
		}
	}
	return checkCaptions(ctx, o.policy, "", caps)
}

// writeJSON writes v indented (--format json) or on one line (jsonl).
func writeJSON(w io.Writer, format string, v any) error {
	enc := json.NewEncoder(w)
	if format != "jsonl" {
		enc.SetIndent("", "  ")
	}
	return enc.Encode(v)
}
