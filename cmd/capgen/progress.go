package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/capgen/capgen/batch"
)

// isTerminal reports whether w is a terminal (progress bars go there only).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// loading shows that the model is loading (minutes for a large model on a
// CPU): a spinner with the elapsed time on a terminal, a line otherwise.
// The returned function ends it.
func loading(w io.Writer, kind, model string) func(error) {
	start := time.Now()
	switch kind {
	case "bar":
		sp := progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("loading "+filepath.Base(model)),
			progressbar.OptionSpinnerType(14), progressbar.OptionSetElapsedTime(true), progressbar.OptionClearOnFinish())
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			t := time.NewTicker(100 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					sp.Add(1)
				}
			}
		}()
		return func(error) {
			close(stop)
			<-done
			sp.Finish()
		}
	case "plain":
		fmt.Fprintf(w, "capgen: loading %s\n", filepath.Base(model))
		return func(err error) {
			if err == nil {
				fmt.Fprintf(w, "capgen: model loaded in %s\n", time.Since(start).Round(100*time.Millisecond))
			}
		}
	case "json":
		return func(err error) {
			if err == nil {
				b, _ := json.Marshal(struct {
					Event string  `json:"event"`
					Model string  `json:"model"`
					MS    float64 `json:"ms"`
				}{"model_loaded", model, float64(time.Since(start).Microseconds()) / 1000})
				fmt.Fprintf(w, "%s\n", b)
			}
		}
	}
	return func(error) {}
}

// progress reports per-image events: a bar that fits the terminal's width
// (throughput, elapsed time and ETA, failures printed above it), a plain
// line every tenth of the run, JSON Lines, or only failures.
type progress struct {
	w         io.Writer
	kind      string
	total     int
	n         int
	start     time.Time
	bar       *progressbar.ProgressBar
	nextPlain int
}

func newProgress(w io.Writer, kind string, total int) *progress {
	p := &progress{w: w, kind: kind, total: total, start: time.Now()}
	if kind == "bar" {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionFullWidth(),
			progressbar.OptionSetDescription("captioning"), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("img"), progressbar.OptionSetPredictTime(true), progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionShowElapsedTimeOnFinish())
	}
	return p
}

func (p *progress) event(ev batch.Event) {
	msg := ""
	if ev.Err != nil {
		msg = ev.Err.Error()
	}
	p.n++
	failed := ev.Status == batch.StatusFailed || ev.Status == batch.StatusPartial
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
		}{"image", ev.File, string(ev.Status), p.n, p.total, float64(ev.Took.Microseconds()) / 1000, msg})
		fmt.Fprintf(p.w, "%s\n", b)
		return
	case "bar":
		if failed {
			p.bar.Clear()
			fmt.Fprintf(p.w, "capgen: %s: %s\n", ev.File, msg)
		}
		p.bar.Add(1)
		return
	}
	if failed {
		fmt.Fprintf(p.w, "capgen: %s: %s\n", ev.File, msg)
	}
	if p.kind == "plain" && p.n*10 >= p.nextPlain*p.total && p.n < p.total {
		p.nextPlain = p.n*10/max(p.total, 1) + 1
		rate := float64(p.n) / time.Since(p.start).Seconds()
		eta := time.Duration(float64(p.total-p.n) / max(rate, 1e-9) * float64(time.Second))
		fmt.Fprintf(p.w, "capgen: %d/%d images (%d%%), %.2f images/s, about %s left\n", p.n, p.total, 100*p.n/max(p.total, 1), rate, eta.Round(time.Second))
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
