package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
)

// captionOptions are the flags of the commands that caption whole images
// (describe, batch).
type captionOptions struct {
	mismatchOptions
	Langs, Detail, Strategy, Prompt string
	PromptFile                      string
	MaxTokens                       int
}

func (o *captionOptions) flags() []cli.Flag {
	return append([]cli.Flag{
		langFlag(&o.Langs),
		&cli.StringFlag{Name: "detail", Usage: "brief or detailed", Value: "brief", Destination: &o.Detail},
		&cli.StringFlag{Name: "strategy", Usage: "direct, pivot or auto", Value: "direct", Destination: &o.Strategy},
		&cli.StringFlag{Name: "prompt", Usage: "custom instruction (the language statement is kept)", Destination: &o.Prompt},
		&cli.StringFlag{Name: "prompt-file", Usage: "read the custom instruction from this file", Destination: &o.PromptFile},
		&cli.IntFlag{Name: "max-tokens", Usage: "most tokens per caption (0 = by detail)", Destination: &o.MaxTokens},
	}, o.mismatchOptions.flags(true)...)
}

// parse checks the flags; errors are usage errors naming the flag.
func (o *captionOptions) parse() ([]caption.Language, caption.Detail, caption.Strategy, error) {
	langs, err := parseLangs(o.Langs)
	if err != nil {
		return nil, "", "", err
	}
	detail, err := caption.ParseDetail(o.Detail)
	if err != nil {
		return nil, "", "", usageError{err}
	}
	strategy, err := caption.ParseStrategy(o.Strategy)
	if err != nil {
		return nil, "", "", usageError{err}
	}
	if err := o.mismatchOptions.parse(); err != nil {
		return nil, "", "", err
	}
	if o.MaxTokens < 0 || o.MaxTokens > caption.MaxGenerationTokens {
		return nil, "", "", usagef("--max-tokens %d: use 0 (by detail) to %d", o.MaxTokens, caption.MaxGenerationTokens)
	}
	if len(o.Prompt) > caption.MaxInstructionBytes {
		return nil, "", "", usagef("--prompt holds %d bytes; the limit is %d", len(o.Prompt), caption.MaxInstructionBytes)
	}
	if o.PromptFile != "" {
		if o.Prompt != "" {
			return nil, "", "", usagef("--prompt and --prompt-file exclude each other")
		}
		b, err := os.ReadFile(o.PromptFile)
		if err != nil {
			return nil, "", "", usagef("--prompt-file: %v", err)
		}
		if o.Prompt = strings.TrimSpace(string(b)); o.Prompt == "" {
			return nil, "", "", usagef("--prompt-file %s is empty", o.PromptFile)
		}
		if len(o.Prompt) > caption.MaxInstructionBytes {
			return nil, "", "", usagef("--prompt-file %s holds %d bytes; the limit is %d", o.PromptFile, len(o.Prompt), caption.MaxInstructionBytes)
		}
		o.PromptFile = ""
	}
	return langs, detail, strategy, nil
}

func langFlag(dst *string) cli.Flag {
	return &cli.StringFlag{Name: "lang", Usage: "comma-separated languages (e.g. de,fr,ja; see capgen languages)", Value: "en", Destination: dst}
}

func parseLangs(s string) ([]caption.Language, error) {
	langs, err := caption.ParseLanguages(s)
	if err != nil {
		return nil, usageError{fmt.Errorf("--lang: %w", err)}
	}
	return langs, nil
}

func formatFlag(dst *string) cli.Flag {
	return &cli.StringFlag{Name: "format", Usage: "text, json (indented) or jsonl (one line, for appending to a file)", Value: "text", Destination: dst}
}

func checkFormat(f string) error {
	if f != "text" && f != "json" && f != "jsonl" {
		return usagef("--format %q: use text, json or jsonl", f)
	}
	return nil
}

// oneImage is the action of a command that takes exactly one image.
func oneImage(name string, run func(c *cli.Context, path string) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		if c.NArg() != 1 {
			return usagef("%s takes one image file, got %d arguments", name, c.NArg())
		}
		return run(c, c.Args().First())
	}
}
