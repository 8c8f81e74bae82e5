package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/sidecar"
	"github.com/capgen/capgen/vision"
)

// Existing says what Run does with images the journal already has.
type Existing string

const (
	// Skip leaves images the journal records as captioned (the default):
	// an interrupted run resumes where it stopped. Failed images are tried
	// again.
	Skip Existing = "skip"
	// Overwrite captions every image again and replaces the default text
	// of existing sidecars.
	Overwrite Existing = "overwrite"
	// Append captions every image again and keeps existing sidecar text.
	Append Existing = "append"
)

// ParseExisting reads skip, overwrite or append.
func ParseExisting(s string) (Existing, error) {
	switch m := Existing(s); m {
	case Skip, Overwrite, Append:
		return m, nil
	}
	return "", inputf("%q: use skip, overwrite or append", s)
}

// Kind is what Run makes of each image.
type Kind string

const (
	// Describe captions the whole image (Options.Request; the default).
	Describe Kind = "describe"
	// Regions captions boxes of each image (Options.Regions; the boxes
	// come from Options.Boxes).
	Regions Kind = "regions"
	// Dense describes each image densely (Options.Dense): the merged
	// description is the image's caption, the global and tile captions
	// are kept in the journal.
	Dense Kind = "dense"
)

// ParseKind reads describe, regions or dense.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case Describe, Regions, Dense:
		return k, nil
	}
	return "", inputf("%q: use describe, regions or dense", s)
}

// Options configures Run. Journal is required; the zero value of the rest
// means the defaults.
type Options struct {
	// Kind is what to make of each image ("": Describe).
	Kind Kind
	// Request is the request for every image of a Describe run
	// (languages, detail, strategy, instruction, generation); Run sets
	// its image.
	Request caption.Request
	// Regions and Dense are the requests of Regions and Dense runs (nil:
	// the defaults); Run sets the image, and the boxes from Boxes.
	Regions *caption.RegionsRequest
	Dense   *caption.DenseRequest
	// Boxes gives the boxes of an image for a Regions run, in pixels of
	// the image as decoded (nil: BoxesFile with pixel boxes).
	Boxes func(path string, img *vision.Image) ([]vision.Box, error)
	// Journal is the JSON Lines file results are appended to.
	Journal string
	// JournalTo, when set instead of Journal, receives the records as JSON
	// Lines (capgen batch --out -): nothing is read back, so nothing is
	// resumed.
	JournalTo io.Writer
	Existing  Existing // "" is Skip
	// XMP writes IMG.jpg.xmp (IMG.xmp with XMPReplaceExtension), one
	// dc:description entry per language, merged into an existing sidecar.
	XMP                 bool
	XMPReplaceExtension bool
	// Text writes IMG.txt with the first language's caption.
	Text bool
	// Decode sets the image limits (size in pixels and bytes; nil: the
	// vision defaults).
	Decode *vision.Options
	// Workers read and prepare images ahead of the model (0: 2).
	Workers int
	// Queue is how many prepared images wait for the model (0: twice the
	// engine's MaxSequences, so a finished caption's sequence always has
	// a next image). Regions and Dense runs keep whole decoded images in
	// the queue (their crops and tiles come from them), so theirs is at
	// most twice Workers.
	Queue int
	// OnEvent receives progress, from one goroutine at a time.
	OnEvent func(Event)
}

// EventKind tells what an Event reports.
type EventKind int

const (
	// EventImage: one image is done (Status, File, Took, Err).
	EventImage EventKind = iota
	// EventJournalRepaired: the journal's last N lines were incomplete
	// (an interrupted run) and are ignored.
	EventJournalRepaired
	// EventInterrupted: ctx was cancelled; the N images the model has
	// started are being finished, the queued ones are redone on resume.
	EventInterrupted
)

// Status is an image's outcome.
type Status string

const (
	// StatusOK: captioned now.
	StatusOK Status = "ok"
	// StatusReused: the same content was captioned earlier (in the
	// journal, or by another path of this run); this path got its journal
	// record and sidecars from that result, without the model.
	StatusReused Status = "reused"
	// StatusSkipped: this path was done by an earlier run.
	StatusSkipped Status = "skipped"
	// StatusPartial: some captions failed the language check (the caption
	// package's MismatchRetry and MismatchFail policies); the others were
	// written. The next run redoes the image.
	StatusPartial Status = "partial"
	StatusFailed  Status = "failed"
)

// Event is one progress report.
type Event struct {
	Kind   EventKind
	File   string
	Status Status
	Took   time.Duration // from handing the image to the model to its result
	Err    error         // why the image failed
	Done   int           // images done so far, this one included
	Total  int
	N      int
}

// Summary is what a run did with its Images: captioned now, outputs
// written from an earlier result of the same content (Reused), done by an
// earlier run (Skipped), captioned with some languages failing the
// language check (Partial), failed.
type Summary struct {
	Images, Captioned, Reused, Skipped, Partial, Failed int
	Tokens                                              int // generated
	Elapsed                                             time.Duration
	// Quality is the run's reference-free quality: how many captions
	// passed the language check and, with Request.Ground, how well the
	// image supports their sentences. Only captions made in this run count.
	Quality Quality
}

// Quality sums the captions' language checks and groundings.
type Quality struct {
	Captions  int `json:"captions"`
	Matched   int `json:"language_matched"`
	Sentences int `json:"sentences"` // grounded captions' sentences
	Flagged   int `json:"sentences_flagged"`
	// GainSum is the sum of the grounded captions' mean gains (nats per
	// token); MeanGain divides it.
	GainSum  float64 `json:"-"`
	Grounded int     `json:"grounded_captions"`
}

// LanguageMatch is the share of captions that passed the language check.
func (q Quality) LanguageMatch() float64 { return ratio(q.Matched, q.Captions) }

// FlaggedShare is the share of grounded sentences that were flagged.
func (q Quality) FlaggedShare() float64 { return ratio(q.Flagged, q.Sentences) }

// MeanGain is the mean grounding gain over grounded captions.
func (q Quality) MeanGain() float64 {
	if q.Grounded == 0 {
		return 0
	}
	return q.GainSum / float64(q.Grounded)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// add counts one record's main captions.
func (q *Quality) add(rec *Record) {
	for _, c := range rec.main() {
		q.Captions++
		if c.Detected.Match {
			q.Matched++
		}
		if g := c.Grounding; g != nil {
			q.Grounded++
			q.GainSum += g.Gain
			q.Sentences += len(g.Sentences)
			q.Flagged += g.Flagged
		}
	}
}

// item is one image on its way through the pipeline.
type item struct {
	path    string
	key     string            // SHA-256 of the file; "" when it could not be read
	prep    *caption.Prepared // Describe
	img     *vision.Image     // Regions and Dense
	boxes   []vision.Box      // Regions
	skipped bool
	reuse   *Record // an earlier run's result for the same content
	err     error
}

// Run captions the images at paths with e (see the package doc). It
// returns when every image is done, or, after ctx is cancelled, when the
// images the model had started are finished; the returned error is then
// ctx's. Failed images are counted in the Summary, not returned.
func Run(ctx context.Context, e *caption.Engine, paths []string, opt *Options) (Summary, error) {
	o, err := normalize(paths, opt)
	if err != nil {
		return Summary{}, err
	}
	if o.Queue == 0 {
		o.Queue = 2 * e.MaxSequences()
	}
	if o.Kind != Describe {
		o.Queue = min(o.Queue, 2*o.Workers)
	}
	prev := &earlier{}
	if o.Existing == Skip && o.JournalTo == nil {
		var incomplete int
		var err error
		if prev, incomplete, err = readEarlier(o.Journal, o.Kind, o.languages()); err != nil {
			return Summary{}, err
		}
		if incomplete > 0 {
			o.OnEvent(Event{Kind: EventJournalRepaired, N: incomplete})
		}
	}
	var journal appender = jsonLines{json.NewEncoder(o.JournalTo)}
	if o.JournalTo == nil {
		j, err := sidecar.OpenJournal(o.Journal)
		if err != nil {
			return Summary{}, &JournalError{Path: o.Journal, Err: err}
		}
		defer j.Close()
		journal = j
	}
	r := &run{e: e, o: o, prev: prev, journal: journal, total: len(paths),
		waiting: map[string][]item{}, results: map[string]any{}}
	return r.run(ctx, paths)
}

// Check validates the options and the paths' sidecars as Run does, without
// an engine, so that a caller can refuse a run before it loads a model.
func Check(paths []string, opt *Options) error {
	_, err := normalize(paths, opt)
	return err
}

// normalize checks the options and fills in the defaults that need no
// engine.
func normalize(paths []string, opt *Options) (*Options, error) {
	if opt == nil || (opt.Journal == "") == (opt.JournalTo == nil) {
		return nil, inputf("batch: give a journal file or a journal writer, one of them")
	}
	o := *opt
	if o.Existing == "" {
		o.Existing = Skip
	}
	if _, err := ParseExisting(string(o.Existing)); err != nil {
		return nil, err
	}
	if o.Kind == "" {
		o.Kind = Describe
	}
	if _, err := ParseKind(string(o.Kind)); err != nil {
		return nil, err
	}
	if o.Kind == Regions && (o.XMP || o.Text) {
		return nil, inputf("batch: region captions go to the journal only, not to XMP or .txt sidecars")
	}
	if o.Regions == nil {
		o.Regions = &caption.RegionsRequest{}
	}
	if o.Dense == nil {
		o.Dense = &caption.DenseRequest{}
	}
	if o.Request.Image != nil || o.Request.Prepared != nil || o.Regions.Image != nil || o.Dense.Image != nil {
		return nil, inputf("batch: the request template carries an image")
	}
	if o.Boxes == nil {
		o.Boxes = func(path string, _ *vision.Image) ([]vision.Box, error) { return BoxesFile(path) }
	}
	if o.Workers < 0 || o.Queue < 0 {
		return nil, inputf("batch: workers %d and queue %d must not be negative", o.Workers, o.Queue)
	}
	if o.Workers == 0 {
		o.Workers = 2
	}
	if o.OnEvent == nil {
		o.OnEvent = func(Event) {}
	}
	if err := checkCollisions(paths, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// appender takes the journal's records: a sidecar.Journal (fsync'd,
// resumable) or JSON Lines on a writer.
type appender interface {
	Append(record any) error
}

type jsonLines struct{ enc *json.Encoder }

func (j jsonLines) Append(record any) error { return j.enc.Encode(record) }

// run is one Run's state.
type run struct {
	e       *caption.Engine
	o       *Options
	prev    *earlier
	journal appender
	total   int
	sum     Summary

	// Content-identical files are captioned once per run: mu guards the
	// copies waiting for the one in the model (by content key, an entry
	// for each content in the model) and the results of this run.
	mu      sync.Mutex
	waiting map[string][]item
	results map[string]any
}

func (r *run) run(ctx context.Context, paths []string) (Summary, error) {
	start := time.Now()
	ready := r.prepareAhead(ctx, paths)
	defer func() {
		// Let the workers finish what they hold and exit.
		go func() {
			for range ready {
			}
		}()
	}()

	// One goroutine owns the journal, the sidecars and the events: it
	// takes each image's outcome as it comes. A journal that cannot be
	// written stops the run (the images in progress are finished).
	outcomes := make(chan outcome, 2*r.o.Queue)
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
			if err := r.record(oc); err != nil {
				writeErr = err
				stopFeeding()
			}
		}
	}()

	f := &feeder{pending: map[caption.Task]sent{}, in: make(chan caption.Task, r.o.Queue)}
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		f.feed(ctx, feedCtx, r, ready, outcomes)
	}()
	_, err := r.e.Stream(context.WithoutCancel(ctx), f.in, func(task caption.Task, res any, err error) {
		sn := f.take(task)
		it := sn.it
		it.err = err
		took := time.Since(sn.at)
		outcomes <- outcome{it: it, res: res, took: took}
		for _, w := range r.answered(it.key, res, err) {
			w.err = err
			outcomes <- outcome{it: w, res: res, reused: true, took: took}
		}
	})
	stopFeeding()
	<-fed
	close(outcomes)
	<-written
	r.sum.Images = len(paths)
	r.sum.Elapsed = time.Since(start)
	switch {
	case writeErr != nil:
		return r.sum, writeErr
	case err != nil:
		return r.sum, err
	}
	return r.sum, ctx.Err()
}

// prepareAhead starts the workers: they read, hash, decode and prepare
// the images in order of paths, skipping the decoding of images the
// journal has. They stop taking paths when ctx is cancelled.
func (r *run) prepareAhead(ctx context.Context, paths []string) <-chan item {
	jobs := make(chan string)
	ready := make(chan item, max(2*r.o.Workers, r.o.Queue))
	var wg sync.WaitGroup
	for range r.o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				ready <- r.prepare(p)
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
	return ready
}

// prepare reads, hashes, decodes and prepares one image.
func (r *run) prepare(path string) item {
	// A named pipe or a device would block the read: only regular files,
	// and none larger than the limit is read at all.
	st, err := os.Stat(path)
	if err != nil {
		return item{path: path, err: err}
	}
	if !st.Mode().IsRegular() {
		return item{path: path, err: errors.New("not a regular file")}
	}
	opt := vision.Options{Name: path}
	if r.o.Decode != nil {
		opt = *r.o.Decode
		opt.Name = path
	}
	if err := vision.CheckFileSize(path, st.Size(), &opt); err != nil {
		return item{path: path, err: err}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return item{path: path, err: err}
	}
	sum := sha256.Sum256(data)
	it := item{path: path, key: hex.EncodeToString(sum[:])}
	if r.prev.byPath[path] == it.key {
		it.skipped = true
		return it
	}
	if rec := r.prev.byContent[it.key]; rec != nil {
		it.reuse = rec
		return it
	}
	img, err := vision.DecodeBytes(data, &opt)
	if err != nil {
		it.err = err
		return it
	}
	switch r.o.Kind {
	case Describe:
		it.prep, it.err = r.e.Prepare(img)
	case Regions:
		it.img = img
		it.boxes, it.err = r.o.Boxes(path, img)
	case Dense:
		it.img = img
	}
	return it
}

// task is the engine's request for a prepared image.
func (r *run) task(it item) caption.Task {
	switch r.o.Kind {
	case Regions:
		req := *r.o.Regions // a copy: the template's slices and maps are only read
		req.Image, req.Boxes = it.img, it.boxes
		return &req
	case Dense:
		req := *r.o.Dense
		req.Image = it.img
		return &req
	}
	req := r.o.Request
	req.Prepared = it.prep
	return &req
}

// outcome is an image's end: skipped, failed before the model, answered,
// or answered for another path of the same content (reused).
type outcome struct {
	it     item
	res    any // *caption.Result, *caption.RegionsResult or *caption.DenseResult
	reused bool
	took   time.Duration
}

// record writes an outcome to the sidecars and the journal and reports it.
func (r *run) record(oc outcome) error {
	it := oc.it
	if it.skipped {
		r.sum.Skipped++
		r.event(it.path, StatusSkipped, 0, nil)
		return nil
	}
	rec := Record{}
	reused := oc.reused || it.reuse != nil
	if it.reuse != nil {
		rec = *it.reuse
	}
	rec.Key, rec.File, rec.Time = it.key, it.path, time.Now().UTC().Format(time.RFC3339)
	if it.err == nil {
		if it.reuse == nil {
			rec.fill(oc.res)
		}
		if !reused {
			r.sum.Tokens += rec.tokens()
			r.sum.Quality.add(&rec)
		}
		if it.err = rec.settle(); it.err == nil {
			it.err = writeSidecars(it.path, rec.Model, rec.Captions, r.o)
		}
	}
	switch {
	case it.err != nil:
		rec.Error = it.err.Error()
		r.sum.Failed++
		r.event(it.path, StatusFailed, oc.took, it.err)
	case rec.Status == StatusPartial:
		r.sum.Partial++
		r.event(it.path, StatusPartial, oc.took, partialError(&rec))
	case reused:
		r.sum.Reused++
		r.event(it.path, StatusReused, oc.took, nil)
	default:
		r.sum.Captioned++
		r.event(it.path, StatusOK, oc.took, nil)
	}
	if rec.Key == "" {
		// Unreadable file: keyed by path so the failure is recorded but
		// the image is tried again next run.
		rec.Key = "error:" + it.path
	}
	if err := r.journal.Append(rec); err != nil {
		return fmt.Errorf("journal %s: %w", r.o.Journal, err)
	}
	return nil
}

func (r *run) event(file string, st Status, took time.Duration, err error) {
	r.o.OnEvent(Event{Kind: EventImage, File: file, Status: st, Took: took, Err: err,
		Done: r.sum.Captioned + r.sum.Reused + r.sum.Skipped + r.sum.Partial + r.sum.Failed, Total: r.total})
}

// languages are the tags of the languages the run asks for.
func (o *Options) languages() []string {
	langs := o.Request.Languages
	switch o.Kind {
	case Regions:
		langs = o.Regions.Languages
	case Dense:
		langs = o.Dense.Languages
	}
	if len(langs) == 0 {
		return []string{"en"}
	}
	tags := make([]string, len(langs))
	for i, l := range langs {
		tags[i] = l.Tag
	}
	return tags
}

// partialError says which languages of a partial record failed.
func partialError(rec *Record) error {
	return fmt.Errorf("language check failed for %s (not written; redone next run)", strings.Join(failedLanguages(rec.main()), ", "))
}

// feeder hands prepared images to the engine and remembers which request
// is which image.
type feeder struct {
	in       chan caption.Task
	mu       sync.Mutex
	pending  map[caption.Task]sent
	inFlight atomic.Int64
}

type sent struct {
	it item
	at time.Time
}

func (f *feeder) take(req caption.Task) sent {
	f.mu.Lock()
	sn := f.pending[req]
	delete(f.pending, req)
	f.mu.Unlock()
	f.inFlight.Add(-1)
	return sn
}

// feed sends the images that ready gives; skipped and failed ones go
// straight to outcomes. At an interrupt (ctx) it stops, takes back the
// images queued that the model has not started (they are redone on
// resume), and closes in, so that those in progress are finished.
func (f *feeder) feed(ctx, feedCtx context.Context, r *run, ready <-chan item, outcomes chan<- outcome) {
	defer close(f.in)
	defer func() {
		if ctx.Err() == nil {
			return
		}
		for {
			select {
			case req := <-f.in:
				f.take(req)
				continue
			default:
			}
			break
		}
		if n := f.inFlight.Load(); n > 0 {
			r.o.OnEvent(Event{Kind: EventInterrupted, N: int(n)})
		}
	}()
	for it := range ready {
		if feedCtx.Err() != nil {
			return
		}
		if it.skipped || it.err != nil || it.reuse != nil {
			outcomes <- outcome{it: it}
			continue
		}
		if oc, wait := r.dedupe(it); wait {
			continue
		} else if oc != nil {
			outcomes <- *oc
			continue
		}
		task := r.task(it)
		it.img, it.prep = nil, nil // the task holds them
		f.mu.Lock()
		f.pending[task] = sent{it, time.Now()}
		f.mu.Unlock()
		f.inFlight.Add(1)
		select {
		case f.in <- task:
		case <-feedCtx.Done():
			f.take(task)
			return
		}
	}
}

// dedupe decides what happens to an image whose content this run may
// have seen: nil, false sends it to the model (the first of its content);
// an outcome reuses this run's result for the content; wait parks it
// until the copy in the model is answered.
func (r *run) dedupe(it item) (oc *outcome, wait bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if res, ok := r.results[it.key]; ok {
		return &outcome{it: it, res: res, reused: true}, false
	}
	if w, ok := r.waiting[it.key]; ok {
		r.waiting[it.key] = append(w, it)
		return nil, true
	}
	r.waiting[it.key] = nil
	return nil, false
}

// answered records the model's answer for a content and returns the
// copies that waited for it.
func (r *run) answered(key string, res any, err error) []item {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.waiting[key]
	delete(r.waiting, key)
	if err == nil {
		r.results[key] = res
	}
	return w
}

// checkCollisions fails when two images would write the same sidecar,
// naming them, instead of letting one overwrite or mix with the other.
func checkCollisions(paths []string, o *Options) error {
	if !o.XMP && !o.Text {
		return nil
	}
	by := map[string][]string{}
	var order []string
	add := func(sc, p string) {
		if len(by[sc]) == 0 {
			order = append(order, sc)
		}
		by[sc] = append(by[sc], p)
	}
	for _, p := range paths {
		if o.XMP {
			add(sidecar.XMPPath(p, &sidecar.XMPOptions{ReplaceExtension: o.XMPReplaceExtension}), p)
		}
		if o.Text {
			add(sidecar.TextPath(p, nil), p)
		}
	}
	var clash []string
	for _, sc := range order {
		if len(by[sc]) > 1 {
			clash = append(clash, fmt.Sprintf("%s from %s", sc, strings.Join(by[sc], " and ")))
		}
	}
	if len(clash) == 0 {
		return nil
	}
	more := ""
	if len(clash) > 5 {
		more = fmt.Sprintf(" (and %d more)", len(clash)-5)
		clash = clash[:5]
	}
	return inputf("images would write the same sidecar: %s%s. Sidecars named without the image's extension (IMG.txt; IMG.xmp when the XMP extension is replaced) cannot tell IMG.png from IMG.jpg: rename one of them, or keep the extension in XMP names", strings.Join(clash, "; "), more)
}
