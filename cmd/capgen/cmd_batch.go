package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/batch"
	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/vision"
)

type batchOptions struct {
	modelOptions
	captionOptions
	Out         string
	FilesFrom   string
	XMP         bool
	XMPReplace  bool
	Txt         bool
	Mode        string
	Existing    string
	Words       int
	Margin      float64
	BoxFormat   string
	Grid        string
	SecondLevel bool
	TileMode    string
	Progress    string
	Workers     int
	Images      int
	NoRecursive bool
	Shard       string
	Ground      bool
	DropUngr    bool
	Quiet       bool // --quiet: no summary line
}

func batchCommand() *cli.Command {
	var o batchOptions
	return &cli.Command{
		Name:      "batch",
		Usage:     "caption many images with the model loaded once; resumable",
		ArgsUsage: "PATH... (files, folders, globs; - reads a list from stdin)",
		Flags: append(append(o.modelOptions.flags(), o.captionOptions.flags()...),
			&cli.StringFlag{Name: "out", Usage: "results journal (JSON Lines, appended; makes the run resumable); - writes the records to stdout (not resumable)", Value: "captions.jsonl", Destination: &o.Out},
			&cli.StringFlag{Name: "files-from", Usage: "read image paths from this file, one per line (- for stdin)", Destination: &o.FilesFrom},
			&cli.BoolFlag{Name: "xmp", Usage: "write an XMP sidecar per image (IMG.jpg.xmp, one dc:description entry per language)", Destination: &o.XMP},
			&cli.BoolFlag{Name: "xmp-replace-ext", Usage: "name XMP sidecars IMG.xmp instead of IMG.jpg.xmp", Destination: &o.XMPReplace},
			&cli.BoolFlag{Name: "txt", Usage: "write IMG.txt (first language) for training sets", Destination: &o.Txt},
			&cli.StringFlag{Name: "mode", Usage: "describe (captions of the whole image), regions (captions of the boxes in IMG.jpg.boxes.json) or dense (global, tile and merged descriptions)", Value: "describe", Destination: &o.Mode},
			&cli.StringFlag{Name: "existing", Usage: "skip (images done in --out), overwrite (redo all, replace sidecar text) or append (redo, keep existing sidecar text)", Value: "skip", Destination: &o.Existing},
			&cli.IntFlag{Name: "words", Usage: "--mode regions: word budget per caption", Value: 10, Destination: &o.Words},
			&cli.Float64Flag{Name: "margin", Usage: "--mode regions: context margin around each box, as a fraction of its size (negative = none)", Value: 0.15, Destination: &o.Margin},
			&cli.StringFlag{Name: "box-format", Usage: "--mode regions: the boxes files' convention: pixels, normalized (0-1) or per1000", Value: "pixels", Destination: &o.BoxFormat},
			&cli.StringFlag{Name: "grid", Usage: "--mode dense: tile grid ROWSxCOLS", Value: "2x2", Destination: &o.Grid},
			&cli.BoolFlag{Name: "second-level", Usage: "--mode dense: add a grid twice as fine", Destination: &o.SecondLevel},
			&cli.StringFlag{Name: "tile-mode", Usage: "--mode dense: prompt for tiles: tile, region or brief", Value: "tile", Destination: &o.TileMode},
			&cli.StringFlag{Name: "progress", Usage: "auto (bar on a terminal, plain otherwise), bar, plain (a line every 10%), json (JSON Lines events on stderr) or none", Value: "auto", Destination: &o.Progress},
			&cli.IntFlag{Name: "workers", Usage: "goroutines decoding and resizing images ahead of the model", Value: 2, Destination: &o.Workers},
			&cli.IntFlag{Name: "batch-images", Usage: "images decoded and queued ahead of the model (0 = twice --parallel)", Destination: &o.Images},
			&cli.BoolFlag{Name: "no-recursive", Usage: "do not descend into sub-folders", Destination: &o.NoRecursive},
			&cli.BoolFlag{Name: "ground", Usage: "score each caption's sentences with and without the image (in the journal; the summary gives the mean gain and the share flagged)", Destination: &o.Ground},
			&cli.BoolFlag{Name: "drop-ungrounded", Usage: "remove the sentences the image does not support before writing (implies --ground)", Destination: &o.DropUngr},
			&cli.StringFlag{Name: "shard", Usage: "K/N: caption only shard K (0..N-1) of the images, split by a hash of each path (Kubernetes Indexed Jobs, Slurm arrays; merge the journals with capgen journal merge)", Destination: &o.Shard},
		),
		Action: func(c *cli.Context) error {
			if o.Quiet = global(c, "quiet").Bool("quiet"); o.Quiet {
				o.Progress = "none"
			}
			return runBatch(c.Context, c.App.Writer, c.App.ErrWriter, o, c.Args().Slice())
		},
	}
}

func runBatch(ctx context.Context, w, errw io.Writer, o batchOptions, args []string) error {
	langs, detail, strategy, err := o.captionOptions.parse()
	if err != nil {
		return err
	}
	bo, err := o.runOptions(errw)
	if err != nil {
		return err
	}
	if err := o.checkDecode(); err != nil {
		return err
	}
	sides := reduceDescribe
	switch bo.Kind {
	case batch.Regions:
		sides = reduceRegions
	case batch.Dense:
		sides = reduceDense(bo.Dense.Rows, bo.Dense.Cols, bo.Dense.SecondLevel)
	}
	bo.Decode = o.decodeOptions(sides)
	if o.Out == "-" {
		// Records to stdout: nothing to resume from.
		bo.Journal, bo.JournalTo = "", w
	}
	bo.Request = caption.Request{Languages: langs, Detail: detail, Strategy: strategy, Instruction: o.Prompt,
		Generation: caption.Generation{MaxTokens: o.MaxTokens}, OnMismatch: o.policy, PivotLanguage: o.pivot,
		Ground: o.Ground, DropUngrounded: o.DropUngr}
	bo.Regions.Languages, bo.Dense.Languages = langs, langs
	bo.Regions.OnMismatch, bo.Dense.OnMismatch = o.policy, o.policy
	progress := o.Progress
	if progress == "auto" {
		progress = "plain"
		if isTerminal(errw) {
			progress = "bar"
		}
	}
	if progress != "bar" && progress != "plain" && progress != "json" && progress != "none" {
		return usagef("--progress %q: use auto, bar, plain, json or none", o.Progress)
	}
	if o.Images < 0 {
		return usagef("--batch-images must be 0 (auto) or more, got %d", o.Images)
	}
	if o.Workers < 1 {
		return usagef("--workers must be at least 1, got %d", o.Workers)
	}
	if len(args) == 0 && o.FilesFrom == "" {
		return usagef("batch needs images: give files, folders, globs, - (stdin) or --files-from")
	}
	jsonEvent := func(v map[string]any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(errw, "%s\n", b)
	}
	paths, err := batch.Collect(args, &batch.CollectOptions{FilesFrom: o.FilesFrom, NoRecursive: o.NoRecursive, Stdin: os.Stdin,
		Skipped: func(path, why string) {
			if progress == "json" {
				jsonEvent(map[string]any{"event": "skipped_file", "file": path, "reason": why})
				return
			}
			fmt.Fprintf(errw, "capgen: skipping %s: %s\n", path, why)
		}})
	if err != nil {
		return usagef("%v", err)
	}
	if o.Shard != "" {
		k, n, err := batch.ParseShard(o.Shard)
		if err != nil {
			return usagef("--%v", err)
		}
		all := len(paths)
		paths = batch.Shard(paths, k, n)
		if progress != "json" && !o.Quiet {
			fmt.Fprintf(errw, "capgen: shard %d/%d: %d of %d images\n", k, n, len(paths), all)
		}
	}

	// Bad options and sidecar clashes fail before the model loads.
	if err := batch.Check(paths, bo); err != nil {
		return usagef("%v", err)
	}
	loaded := loading(errw, progress, o.Model)
	e, err := o.engine(ctx)
	loaded(err)
	if err != nil {
		return err
	}
	defer e.Close()
	if progress != "json" {
		o.warnUnclaimed(ctx, langs)
	}
	prog := newProgress(errw, progress, len(paths))
	bo.OnEvent = func(ev batch.Event) {
		switch ev.Kind {
		case batch.EventImage:
			prog.event(ev)
		case batch.EventJournalRepaired:
			if progress == "json" {
				jsonEvent(map[string]any{"event": "journal_repaired", "journal": o.Out, "incomplete_lines": ev.N})
				return
			}
			fmt.Fprintf(errw, "capgen: %s: ignored %d incomplete line from an interrupted run\n", o.Out, ev.N)
		case batch.EventInterrupted:
			if progress == "json" {
				jsonEvent(map[string]any{"event": "interrupted", "in_progress": ev.N})
				return
			}
			fmt.Fprintf(errw, "\ncapgen: interrupted: finishing the %d images in progress (interrupt again to stop at once; unfinished images are redone on resume)\n", ev.N)
		}
	}
	sum, err := batch.Run(ctx, e, paths, bo)
	prog.finish()
	var je *batch.JournalError
	switch {
	case errors.As(err, &je) && errors.Is(err, batch.ErrInput):
		return usagef("--out %s: %v (use another --out, or --existing overwrite)", o.Out, je.Err)
	case err != nil && ctx.Err() == nil:
		return err
	}
	switch {
	case progress == "json":
		// The stream stays JSON Lines to its end: the summary is an event.
		b, _ := json.Marshal(struct {
			Event       string  `json:"event"`
			Images      int     `json:"images"`
			Captioned   int     `json:"captioned"`
			Partial     int     `json:"partial"`
			Failed      int     `json:"failed"`
			Skipped     int     `json:"skipped"`
			Reused      int     `json:"reused"`
			Tokens      int     `json:"tokens"`
			MS          float64 `json:"ms"`
			Quality     any     `json:"quality"`
			Interrupted bool    `json:"interrupted"`
			Journal     string  `json:"journal"`
		}{"summary", len(paths), sum.Captioned, sum.Partial, sum.Failed, sum.Skipped, sum.Reused, sum.Tokens,
			float64(sum.Elapsed.Microseconds()) / 1000, qualityJSON(sum.Quality), ctx.Err() != nil, o.Out})
		fmt.Fprintf(errw, "%s\n", b)
	case !o.Quiet:
		partial := ""
		if sum.Partial > 0 {
			partial = fmt.Sprintf(", %d partial (some languages failed the language check)", sum.Partial)
		}
		fmt.Fprintf(errw, "capgen: %d captioned%s, %d failed, %d skipped (done earlier), %d from earlier results, of %d images in %s (%.2f images/s, %.1f tokens/s)\n",
			sum.Captioned, partial, sum.Failed, sum.Skipped, sum.Reused, len(paths), sum.Elapsed.Round(time.Millisecond),
			float64(sum.Captioned)/sum.Elapsed.Seconds(), float64(sum.Tokens)/sum.Elapsed.Seconds())
		if q := sum.Quality; q.Captions > 0 {
			line := fmt.Sprintf("capgen: quality: %.0f%% of %d captions in the requested language", 100*q.LanguageMatch(), q.Captions)
			if q.Grounded > 0 {
				line += fmt.Sprintf("; grounding: mean gain %.2f, %d of %d sentences (%.0f%%) possibly ungrounded", q.MeanGain(), q.Flagged, q.Sentences, 100*q.FlaggedShare())
			}
			fmt.Fprintln(errw, line)
		}
	}
	switch {
	case ctx.Err() != nil:
		return exitCodeError{code: exitInterrupted, err: ctx.Err(), reported: progress == "json"}
	case sum.Failed > 0 || sum.Partial > 0:
		see := o.Out
		if see == "-" {
			see = "the records on stdout"
		}
		what := fmt.Sprintf("%d of %d images failed", sum.Failed, len(paths))
		if sum.Partial > 0 {
			what += fmt.Sprintf(" and %d had languages failing the language check", sum.Partial)
		}
		return exitCodeError{code: exitSomeFailed, err: fmt.Errorf("%s (see %s; the next run redoes them)", what, see), reported: progress == "json"}
	}
	return nil
}

// qualityJSON is the summary event's quality object.
func qualityJSON(q batch.Quality) map[string]any {
	m := map[string]any{"captions": q.Captions, "language_match": q.LanguageMatch()}
	if q.Grounded > 0 {
		m["mean_gain"], m["sentences"], m["flagged"], m["flagged_share"] = q.MeanGain(), q.Sentences, q.Flagged, q.FlaggedShare()
	}
	return m
}

// runOptions turns the mode flags into batch.Options (without the request
// languages and the events). --mode skip|overwrite|append, its meaning
// before --existing, still works, with a note.
func (o *batchOptions) runOptions(errw io.Writer) (*batch.Options, error) {
	kind, existing := o.Mode, o.Existing
	if _, err := batch.ParseExisting(kind); err == nil {
		fmt.Fprintf(errw, "capgen: --mode %s is now --existing %s (--mode says describe, regions or dense)\n", kind, kind)
		kind, existing = string(batch.Describe), o.Mode
	}
	k, err := batch.ParseKind(kind)
	if err != nil {
		return nil, usagef("--mode %v", err)
	}
	ex, err := batch.ParseExisting(existing)
	if err != nil {
		return nil, usagef("--existing %v", err)
	}
	bo := &batch.Options{Kind: k, Existing: ex, Journal: o.Out, XMP: o.XMP, XMPReplaceExtension: o.XMPReplace, Text: o.Txt,
		Workers: o.Workers, Queue: o.Images,
		Regions: &caption.RegionsRequest{Words: o.Words, Margin: o.Margin, Generation: caption.Generation{MaxTokens: o.MaxTokens}},
		Dense:   &caption.DenseRequest{SecondLevel: o.SecondLevel}}
	if k == batch.Regions && (o.XMP || o.Txt) {
		return nil, usagef("--mode regions writes region captions to --out only: drop --xmp and --txt")
	}
	format, err := vision.ParseBoxFormat(o.BoxFormat)
	if err != nil {
		return nil, usageError{fmt.Errorf("--box-format: %w", err)}
	}
	bo.Boxes = func(path string, img *vision.Image) ([]vision.Box, error) {
		boxes, err := batch.BoxesFile(path)
		for i := range boxes {
			if err == nil {
				boxes[i], err = vision.FromFormat(boxes[i], format, img.View())
			}
		}
		return boxes, err
	}
	if n, err := fmt.Sscanf(o.Grid, "%dx%d", &bo.Dense.Rows, &bo.Dense.Cols); n != 2 || err != nil {
		return nil, usagef("--grid %q: want ROWSxCOLS such as 2x2", o.Grid)
	}
	if bo.Dense.TileMode, err = caption.ParseMode(o.TileMode); err != nil {
		return nil, usageError{fmt.Errorf("--tile-mode: %w", err)}
	}
	return bo, nil
}
