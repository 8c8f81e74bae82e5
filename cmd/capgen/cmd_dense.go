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
	Langs       string
	Grid        string
	SecondLevel bool
	Overlap     float64
	TileMode    string
	Format      string
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
		),
		Action: oneImage("dense", func(c *cli.Context, path string) error {
			return runDense(c.Context, c.App.Writer, o, path)
		}),
	}
}

func runDense(ctx context.Context, w io.Writer, o denseOptions, path string) error {
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
	img, e, err := o.open(ctx, path)
	if err != nil {
		return err
	}
	defer e.Close()
	res, err := e.Dense(ctx, &caption.DenseRequest{Image: img, Rows: rows, Cols: cols, SecondLevel: o.SecondLevel, Overlap: o.Overlap, TileMode: mode, Languages: langs})
	if err != nil {
		return err
	}
	if o.Format != "text" {
		return writeJSON(w, o.Format, struct {
			File string `json:"file"`
			*caption.DenseResult
		}{path, res})
	}
	for _, m := range res.Merged {
		if _, err := fmt.Fprintf(w, "%s: %s\n", m.Language.Tag, m.Text); err != nil {
			return err
		}
	}
	return nil
}
