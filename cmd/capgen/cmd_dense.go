package main

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
)

type denseOptions struct {
	modelOptions
	mismatchOptions
	Langs       string
	Grid        string
	SecondLevel bool
	Overlap     float64
	TileMode    string
	Format      string
	Ground      bool
	DropUngr    bool
}

func denseCommand() *cli.Command {
	var o denseOptions
	return &cli.Command{
		Name:      "dense",
		Usage:     "dense description: global caption, tile captions and their merge (Pyramid of Captions)",
		ArgsUsage: "IMAGE",
		Flags: append(o.modelOptions.flags(),
			langFlag(&o.Langs),
			&cli.StringFlag{Name: "grid", Usage: "tile grid ROWSxCOLS", Value: "2x2", Destination: &o.Grid},
			&cli.BoolFlag{Name: "second-level", Usage: "add a grid twice as fine", Destination: &o.SecondLevel},
			&cli.Float64Flag{Name: "overlap", Usage: "overlap of neighbouring tiles (fraction)", Destination: &o.Overlap},
			&cli.StringFlag{Name: "tile-mode", Usage: "prompt for tiles: tile, region or brief", Value: "tile", Destination: &o.TileMode},
			formatFlag(&o.Format),
			o.mismatchOptions.flags(false)[0],
			&cli.BoolFlag{Name: "ground", Usage: "score the merged description's sentences against the image (tile captions are always grounded before the merge)", Destination: &o.Ground},
			&cli.BoolFlag{Name: "drop-ungrounded", Usage: "remove the merged description's sentences the image does not support", Destination: &o.DropUngr},
		),
		Action: oneImage("dense", func(c *cli.Context, path string) error {
			return runDense(c.Context, c.App.Writer, o, path)
		}),
	}
}

func runDense(ctx context.Context, w io.Writer, o denseOptions, path string) error {
	if err := o.mismatchOptions.parse(); err != nil {
		return err
	}
	langs, err := parseLangs(o.Langs)
	if err != nil {
		return err
	}
	var rows, cols int
	if n, err := fmt.Sscanf(o.Grid, "%dx%d", &rows, &cols); n != 2 || err != nil {
		return usagef("--grid %q: want ROWSxCOLS such as 2x2", o.Grid)
	}
	mode, err := caption.ParseMode(o.TileMode)
	if err != nil {
		return usageError{fmt.Errorf("--tile-mode: %w", err)}
	}
	if err := checkFormat(o.Format); err != nil {
		return err
	}
	img, e, err := o.open(ctx, path, reduceDense(rows, cols, o.SecondLevel))
	if err != nil {
		return err
	}
	defer e.Close()
	o.warnUnclaimed(ctx, langs)
	res, err := e.Dense(ctx, &caption.DenseRequest{Image: img, Rows: rows, Cols: cols, SecondLevel: o.SecondLevel, Overlap: o.Overlap, TileMode: mode, Languages: langs, OnMismatch: o.policy, GroundMerged: o.Ground, DropUngrounded: o.DropUngr})
	if err != nil {
		return err
	}
	// The merged descriptions decide the exit code; a failed tile or
	// global caption only leaves the merge (it is in the JSON).
	var caps []labeled
	for _, m := range res.Merged {
		caps = append(caps, labeled{m.Language.Tag, m})
		noteUngrounded(ctx, m.Language.Tag, m)
	}
	if o.Format != "text" {
		if err := writeJSON(w, o.Format, struct {
			File string `json:"file"`
			*caption.DenseResult
		}{path, res}); err != nil {
			return err
		}
		return checkCaptions(ctx, o.policy, "", caps)
	}
	for _, m := range res.Merged {
		if m.Failed() {
			continue
		}
		if _, err := fmt.Fprintf(w, "%s: %s\n", m.Language.Tag, m.Text); err != nil {
			return err
		}
	}
	return checkCaptions(ctx, o.policy, "", caps)
}
