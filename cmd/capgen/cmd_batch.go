package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/sidecar"
	"github.com/capgen/capgen/vision"
)

// exitSomeFailed: the batch ran to the end but some images failed.
const exitSomeFailed = 3

type batchOptions struct {
	modelOptions
	captionOptions
	Out         string
	FilesFrom   string
	XMP         bool
	XMPReplace  bool
	Txt         bool
	Mode        string
	Progress    string
	Workers     int
	Images      int
	NoRecursive bool
	Quiet       bool // --quiet: no summary line
}

func batchCommand() *cli.Command {
	var o batchOptions
	return &cli.Command{
		Name:      "batch",
		Usage:     "caption many images with the model loaded once; resumable",
		ArgsUsage: "PATH... (files, folders, globs; - reads a list from stdin)",
		Flags: append(append(o.modelOptions.flags(), o.captionOptions.flags()...),
			&cli.StringFlag{Name: "out", Usage: "results journal (JSON Lines, appended; makes the run resumable)", Value: "captions.jsonl", Destination: &o.Out},
			&cli.StringFlag{Name: "files-from", Usage: "read image paths from this file, one per line (- for stdin)", Destination: &o.FilesFrom},
			&cli.BoolFlag{Name: "xmp", Usage: "write an XMP sidecar per image (IMG.jpg.xmp, one dc:description entry per language)", Destination: &o.XMP},
			&cli.BoolFlag{Name: "xmp-replace-ext", Usage: "name XMP sidecars IMG.xmp instead of IMG.jpg.xmp", Destination: &o.XMPReplace},
			&cli.BoolFlag{Name: "txt", Usage: "write IMG.txt (first language) for training sets", Destination: &o.Txt},
			&cli.StringFlag{Name: "mode", Usage: "skip (images done in --out), overwrite (redo all, replace sidecar text) or append (redo, keep existing sidecar text)", Value: "skip", Destination: &o.Mode},
			&cli.StringFlag{Name: "progress", Usage: "auto, bar, json (NDJSON events on stderr) or none", Value: "auto", Destination: &o.Progress},
			&cli.IntFlag{Name: "workers", Usage: "goroutines decoding and resizing images ahead of the model", Value: 2, Destination: &o.Workers},
			&cli.IntFlag{Name: "batch-images", Usage: "images decoded and queued ahead of the model (0 = twice --parallel)", Destination: &o.Images},
			&cli.BoolFlag{Name: "no-recursive", Usage: "do not descend into sub-folders", Destination: &o.NoRecursive},
		),
		Action: func(c *cli.Context) error {
			if o.Quiet = c.Bool("quiet"); o.Quiet {
				o.Progress = "none"
			}
			return runBatch(c.Context, c.App.Writer, c.App.ErrWriter, o, c.Args().Slice())
		},
	}
}

// imageExts are the extensions batch picks up in folders; files named
// explicitly are tried whatever their extension (the format is detected
// by content).
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".bmp": true, ".tif": true, ".tiff": true, ".webp": true}

// collect expands arguments (files, folders, globs, "-") into image paths
// in a stable order, without duplicates.
func collect(args []string, filesFrom string, recursive bool, stdin io.Reader) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	readList := func(r io.Reader, name string) error {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
				add(line)
			}
		}
		if err := sc.Err(); err != nil {
			return usagef("reading the file list %s: %v", name, err)
		}
		return nil
	}
	if filesFrom != "" {
		if filesFrom == "-" {
			if err := readList(stdin, "stdin"); err != nil {
				return nil, err
			}
		} else {
			f, err := os.Open(filesFrom)
			if err != nil {
				return nil, usagef("--files-from: %v", err)
			}
			err = readList(f, filesFrom)
			f.Close()
			if err != nil {
				return nil, err
			}
		}
	}
	for _, a := range args {
		if a == "-" {
			if err := readList(stdin, "stdin"); err != nil {
				return nil, err
			}
			continue
		}
		paths := []string{a}
		if strings.ContainsAny(a, "*?[") {
			m, err := filepath.Glob(a)
			if err != nil {
				return nil, usagef("bad pattern %q: %v", a, err)
			}
			if len(m) == 0 {
				return nil, usagef("pattern %q matches no files", a)
			}
			paths = m
		}
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				return nil, usagef("%v", err)
			}
			if !st.IsDir() {
				add(p)
				continue
			}
			err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() {
					if path != p && (!recursive || strings.HasPrefix(d.Name(), ".")) {
						return filepath.SkipDir
					}
					return nil
				}
				if imageExts[strings.ToLower(filepath.Ext(path))] {
					add(path)
				}
				return nil
			})
			if err != nil {
				return nil, usagef("reading folder %s: %v", p, err)
			}
		}
	}
	return out, nil
}

// batchRecord is one line of the journal.
type batchRecord struct {
	Key      string            `json:"key"` // SHA-256 of the file's bytes
	File     string            `json:"file"`
	Time     string            `json:"time"`
	Model    string            `json:"model,omitempty"`
	Width    int               `json:"width,omitempty"`
	Height   int               `json:"height,omitempty"`
	Captions []caption.Caption `json:"captions,omitempty"`
	Error    string            `json:"error,omitempty"`
}

// prepared is an image decoded ahead of the model.
type prepared struct {
	path string
	key  string
	img  *vision.Image
	err  error
}

func runBatch(ctx context.Context, w, errw io.Writer, o batchOptions, args []string) error {
	if _, _, _, err := o.captionOptions.parse(); err != nil {
		return err
	}
	if o.Mode != "skip" && o.Mode != "overwrite" && o.Mode != "append" {
		return usagef("--mode %q: use skip, overwrite or append", o.Mode)
	}
	progress := o.Progress
	if progress == "auto" {
		progress = "none"
		if f, ok := errw.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				progress = "bar"
			}
		}
	}
	if progress != "bar" && progress != "json" && progress != "none" {
		return usagef("--progress %q: use auto, bar, json or none", o.Progress)
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
	paths, err := collect(args, o.FilesFrom, !o.NoRecursive, os.Stdin)
	if err != nil {
		return err
	}
	done := map[string]json.RawMessage{}
	if o.Mode == "skip" {
		var skipped int
		done, skipped, err = sidecar.ReadJournal(o.Out)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			done = map[string]json.RawMessage{}
		case err != nil:
			return usagef("--out %s: %v (use another --out, or --mode overwrite)", o.Out, err)
		case skipped > 0:
			fmt.Fprintf(errw, "capgen: %s: ignored %d incomplete line from an interrupted run\n", o.Out, skipped)
		}
		// Failed images are tried again.
		for k, raw := range done {
			var r struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(raw, &r) != nil || r.Error != "" {
				delete(done, k)
			}
		}
	}
	journal, err := sidecar.OpenJournal(o.Out)
	if err != nil {
		return usagef("--out %s: %v", o.Out, err)
	}
	defer journal.Close()

	e, err := o.engine(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	r, err := batchRun(ctx, e, errw, o, paths, done, journal, progress)
	if err != nil {
		return err
	}
	if !o.Quiet {
		fmt.Fprintf(errw, "capgen: %d captioned, %d failed, %d skipped of %d images in %s (%.2f images/s, %.1f tokens/s)\n",
			r.ok, r.failed, r.skipped, len(paths), r.elapsed.Round(time.Millisecond),
			float64(r.ok)/r.elapsed.Seconds(), float64(r.tokens)/r.elapsed.Seconds())
	}
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case r.failed > 0:
		return exitCodeError{code: exitSomeFailed, err: fmt.Errorf("%d of %d images failed (see %s)", r.failed, len(paths), o.Out)}
	}
	return nil
}

// batchCounts is what a batch run did.
type batchCounts struct {
	ok, failed, skipped, tokens int
	elapsed                     time.Duration
}

// batchRun captions paths with e: workers decode ahead, the model takes
// the images as one continuous batch (caption.Engine.DescribeStream: an
// image joins the running decode as soon as a sequence is free), and each
// result goes to the journal (and sidecars) as soon as it is finished.
// Images whose key is in done are skipped.
func batchRun(ctx context.Context, e *caption.Engine, errw io.Writer, o batchOptions, paths []string, done map[string]json.RawMessage, journal *sidecar.Journal, progress string) (batchCounts, error) {
	langs, detail, strategy, err := o.captionOptions.parse()
	if err != nil {
		return batchCounts{}, err
	}
	// Images wait for the model in a queue long enough to refill every
	// sequence twice over, so a finished caption's slot always has a next
	// image; on a CPU, the workers then decode in longer runs, which
	// disturbs the model's threads less than one image at a time.
	queue := o.Images
	if queue <= 0 {
		queue = 2 * e.MaxSequences()
	}

	// Workers read, hash, decode and resize ahead of the model. They stop
	// when ctx is cancelled; the images being captioned are finished.
	jobs := make(chan string)
	ready := make(chan prepared, max(2*o.Workers, queue))
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				ready <- prepare(p, o.MaxSide)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, p := range paths {
			select {
			case jobs <- p:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(ready)
	}()
	defer func() {
		// Let the workers finish what they hold and exit.
		go func() {
			for range ready {
			}
		}()
	}()

	prog := newProgress(errw, progress, len(paths))
	start := time.Now()
	var nOK, nFailed, nSkipped, tokens int

	// One goroutine owns the journal, the sidecars and the progress: it
	// takes each image's outcome as it comes. A journal that cannot be
	// written stops the run (the images in progress are finished).
	type outcome struct {
		job     prepared
		res     *caption.Result
		skipped bool
		took    time.Duration
	}
	outcomes := make(chan outcome, 2*queue)
	feedCtx, stopFeeding := context.WithCancel(ctx)
	defer stopFeeding()
	var writeErr error
	written := make(chan struct{})
	go func() {
		defer close(written)
		for oc := range outcomes {
			if writeErr != nil {
				continue
			}
			job := oc.job
			if oc.skipped {
				nSkipped++
				prog.event(job.path, "skipped", 0, "")
				continue
			}
			rec := batchRecord{Key: job.key, File: job.path, Time: time.Now().UTC().Format(time.RFC3339)}
			if job.err == nil {
				res := oc.res
				rec.Model, rec.Width, rec.Height, rec.Captions = res.Model, res.Width, res.Height, res.Captions
				for _, c := range res.Captions {
					tokens += c.Tokens
				}
				job.err = writeSidecars(job.path, res, o)
			}
			if job.err != nil {
				rec.Error = job.err.Error()
				nFailed++
				prog.event(job.path, "failed", oc.took, rec.Error)
			} else {
				nOK++
				prog.event(job.path, "ok", oc.took, "")
			}
			if rec.Key == "" {
				// Unreadable file: keyed by path so the failure is
				// recorded but the image is tried again next run.
				rec.Key = "error:" + job.path
			}
			if err := journal.Append(rec); err != nil {
				writeErr = fmt.Errorf("--out %s: %w", o.Out, err)
				stopFeeding()
			}
		}
	}()

	// The feeder hands the prepared images to the model; at an interrupt
	// (ctx) it stops, takes back the queued images the model has not
	// started, and those in progress are finished with a context that the
	// interrupt does not cancel.
	in := make(chan *caption.Request, queue)
	var mu sync.Mutex
	type sent struct {
		job prepared
		at  time.Time
	}
	pending := map[*caption.Request]sent{}
	var inFlight atomic.Int64
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		defer close(in)
		defer func() {
			if ctx.Err() == nil {
				return
			}
			// Interrupted: take back the images still waiting in the
			// queue, so that only those the model has started are
			// finished (the others are redone on resume).
			for {
				select {
				case req := <-in:
					mu.Lock()
					delete(pending, req)
					mu.Unlock()
					inFlight.Add(-1)
					continue
				default:
				}
				break
			}
			if n := inFlight.Load(); n > 0 {
				fmt.Fprintf(errw, "\ncapgen: interrupted: finishing the %d images in progress (interrupt again to stop at once; unfinished images are redone on resume)\n", n)
			}
		}()
		for job := range ready {
			if feedCtx.Err() != nil {
				return
			}
			switch {
			case job.err == nil && o.Mode == "skip" && done[job.key] != nil:
				outcomes <- outcome{job: job, skipped: true}
			case job.err != nil:
				outcomes <- outcome{job: job}
			default:
				req := &caption.Request{
					Image: job.img, Languages: langs, Detail: detail, Strategy: strategy, Instruction: o.Prompt,
					Generation: caption.Generation{MaxTokens: o.MaxTokens},
				}
				mu.Lock()
				pending[req] = sent{job, time.Now()}
				mu.Unlock()
				inFlight.Add(1)
				select {
				case in <- req:
				case <-feedCtx.Done():
					inFlight.Add(-1)
					return
				}
			}
		}
	}()
	_, err = e.DescribeStream(context.WithoutCancel(ctx), in, func(req *caption.Request, res *caption.Result, err error) {
		mu.Lock()
		sn := pending[req]
		delete(pending, req)
		mu.Unlock()
		inFlight.Add(-1)
		job := sn.job
		job.err = err
		job.img = nil // the decoded image is no longer needed
		outcomes <- outcome{job: job, res: res, took: time.Since(sn.at)}
	})
	stopFeeding()
	<-fed
	close(outcomes)
	<-written
	prog.finish()
	if writeErr != nil {
		return batchCounts{}, writeErr
	}
	if err != nil {
		return batchCounts{}, err
	}
	return batchCounts{ok: nOK, failed: nFailed, skipped: nSkipped, tokens: tokens, elapsed: time.Since(start)}, nil
}

// prepare reads, hashes, decodes and resizes one image.
func prepare(path string, maxSide int) prepared {
	data, err := os.ReadFile(path)
	if err != nil {
		return prepared{path: path, err: err}
	}
	sum := sha256.Sum256(data)
	p := prepared{path: path, key: hex.EncodeToString(sum[:])}
	p.img, p.err = vision.DecodeBytes(data, &vision.Options{Name: path})
	if p.err == nil && maxSide > 0 && max(p.img.Width(), p.img.Height()) > maxSide {
		p.img, p.err = vision.ResizeMax(p.img, maxSide, vision.Lanczos)
	}
	return p
}

// writeSidecars writes the XMP and text sidecars the flags ask for.
func writeSidecars(path string, res *caption.Result, o batchOptions) error {
	if o.XMP {
		entries := make([]sidecar.Entry, len(res.Captions))
		for i, c := range res.Captions {
			entries[i] = sidecar.Entry{Lang: c.Language.Tag, Text: c.Text}
		}
		if _, err := sidecar.WriteXMP(path, entries, &sidecar.XMPOptions{ReplaceExtension: o.XMPReplace, ReplaceDefault: o.Mode == "overwrite", Model: res.Model}); err != nil {
			return err
		}
	}
	if o.Txt && len(res.Captions) > 0 {
		text := res.Captions[0].Text
		if o.Mode == "append" {
			if old, err := os.ReadFile(sidecar.TextPath(path, nil)); err == nil && len(strings.TrimSpace(string(old))) > 0 {
				text = strings.TrimRight(string(old), "\n") + "\n" + text
			}
		}
		if _, err := sidecar.WriteText(path, text, nil); err != nil {
			return err
		}
	}
	return nil
}

// progress reports per-image events as a terminal bar or NDJSON lines.
type progress struct {
	w     io.Writer
	kind  string
	total int
	n     int
	start time.Time
}

func newProgress(w io.Writer, kind string, total int) *progress {
	return &progress{w: w, kind: kind, total: total, start: time.Now()}
}

func (p *progress) event(file, status string, took time.Duration, msg string) {
	p.n++
	switch p.kind {
	case "json":
		b, _ := json.Marshal(struct {
			Event  string  `json:"event"`
			File   string  `json:"file"`
			Status string  `json:"status"`
			Done   int     `json:"done"`
			Total  int     `json:"total"`
			MS     float64 `json:"ms"`
			Error  string  `json:"error,omitempty"`
		}{"image", file, status, p.n, p.total, float64(took.Microseconds()) / 1000, msg})
		fmt.Fprintf(p.w, "%s\n", b)
	case "bar":
		rate := float64(p.n) / time.Since(p.start).Seconds()
		eta := time.Duration(float64(p.total-p.n)/max(rate, 1e-9)) * time.Second
		const width = 24
		fill := width * p.n / max(p.total, 1)
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d %.2f img/s eta %s  %s\x1b[K", strings.Repeat("#", fill), strings.Repeat(".", width-fill),
			p.n, p.total, rate, eta.Round(time.Second), filepath.Base(file))
		if status == "failed" {
			fmt.Fprintf(p.w, "\ncapgen: %s: %s\n", file, msg)
		}
	default:
		if status == "failed" {
			fmt.Fprintf(p.w, "capgen: %s: %s\n", file, msg)
		}
	}
}

func (p *progress) finish() {
	if p.kind == "bar" && p.n > 0 {
		fmt.Fprintln(p.w)
	}
}
