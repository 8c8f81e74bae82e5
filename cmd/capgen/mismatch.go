package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
)

// exitSomeFailed: the command ran to the end but some of its work failed:
// images of a batch, or captions that failed the language check.
const exitSomeFailed = 3

// mismatchOptions are the language-check flags of every captioning
// command.
type mismatchOptions struct {
	OnMismatch string
	PivotLang  string
	policy     caption.OnMismatch
	pivot      caption.Language
}

func (o *mismatchOptions) flags(pivot bool) []cli.Flag {
	fs := []cli.Flag{&cli.StringFlag{Name: "on-mismatch", Value: "retry", Destination: &o.OnMismatch,
		Usage: "a caption in the wrong language: retry (strict prompt, then the pivot with --strategy auto; then failed, exit 3), warn (retry, then keep it with a warning), keep (keep it, no retry) or fail (failed at once, exit 3)"}}
	if pivot {
		fs = append(fs, &cli.StringFlag{Name: "pivot-lang", Value: "en", Destination: &o.PivotLang,
			Usage: "the language --strategy pivot and auto caption in before translating"})
	}
	return fs
}

// parse checks the flags; errors are usage errors naming the flag.
func (o *mismatchOptions) parse() error {
	p, err := caption.ParseOnMismatch(o.OnMismatch)
	if err != nil {
		return usagef("--on-mismatch %q: use retry, warn, keep or fail", o.OnMismatch)
	}
	o.policy = p
	if o.PivotLang != "" {
		l, err := caption.LookupLanguage(o.PivotLang)
		if err != nil {
			return usagef("--pivot-lang: %v", err)
		}
		o.pivot = l
	}
	return nil
}

// labeled is a caption with where it belongs ("de", "box 2 de", ...).
type labeled struct {
	where string
	c     caption.Caption
}

// checkCaptions reports what the language check did to a command's
// captions: a warning per kept mismatch under --on-mismatch warn, a note
// per pivoted caption with its pivot text, and an exit-3 error listing
// the failed captions with what each attempt was identified as.
func checkCaptions(ctx context.Context, policy caption.OnMismatch, strategy caption.Strategy, caps []labeled) error {
	var failed []string
	for _, l := range caps {
		c := l.c
		switch {
		case c.Failed():
			failed = append(failed, fmt.Sprintf("  %s: %s", l.where, attemptsLine(c)))
		case c.Status == caption.StatusMismatch && policy == caption.MismatchWarn:
			notef(ctx, "warning: the %s caption reads as %s, not %s (%s); kept (--on-mismatch warn)",
				l.where, langName(c.Detected.Lang), c.Language.English, c.Detected.Reason)
		}
		if c.Pivot != nil && !c.Failed() {
			notef(ctx, "%s: translated from the %s caption %q", l.where, c.Pivot.Language.Tag, c.Pivot.Text)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	hint := "--on-mismatch warn keeps the last answer"
	if strategy == caption.Direct {
		hint += "; --strategy auto also tries through the pivot language"
	}
	return exitCodeError{code: exitSomeFailed, err: fmt.Errorf("%d of %d captions failed the language check (not printed):\n%s\n%s",
		len(failed), len(caps), strings.Join(failed, "\n"), hint)}
}

// attemptsLine says what each attempt of a failed caption was taken for.
func attemptsLine(c caption.Caption) string {
	var parts []string
	for _, a := range c.Attempts {
		is := langName(a.Detected.Lang)
		if a.Detected.Match {
			is = "passed"
		}
		parts = append(parts, fmt.Sprintf("%s %s %q", a.Step, is, clip(a.Text, 60)))
	}
	return fmt.Sprintf("no %s answer; %s", c.Language.English, strings.Join(parts, "; "))
}

func langName(l caption.Language) string {
	if l.IsZero() {
		return "an unidentified language"
	}
	return l.English
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
