package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/gguf"
	"github.com/capgen/capgen/models"
	"github.com/capgen/capgen/toy"
)

func modelsCommand() *cli.Command {
	return &cli.Command{
		Name:  "models",
		Usage: "known model pairs: list, pull, info, rm",
		Subcommands: []*cli.Command{
			{Name: "list", Usage: "known pairs and whether they are pulled", Action: func(c *cli.Context) error {
				return runModelsList(c.App.Writer)
			}},
			{Name: "pull", Usage: "download a pair into the cache (resumable, checksummed)", ArgsUsage: "NAME",
				Flags: []cli.Flag{&cli.StringFlag{Name: "base-url", Usage: "download from this mirror instead of " + models.BaseURL}},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usagef("models pull takes one name (see capgen models list)")
					}
					return runModelsPull(c.Context, c.App.ErrWriter, c.Args().First(), c.String("base-url"))
				}},
			{Name: "info", Usage: "GGUF metadata of a file or a pulled pair, and the languages it claims", ArgsUsage: "FILE|NAME",
				Flags: []cli.Flag{&cli.StringFlag{Name: "lang", Usage: "say whether the model card claims these languages (comma-separated)"}},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usagef("models info takes one file or name")
					}
					return runModelsInfo(c.App.Writer, c.Args().First(), c.String("lang"))
				}},
			{Name: "rm", Usage: "delete a pulled pair from the cache", ArgsUsage: "NAME", Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return usagef("models rm takes one name")
				}
				return runModelsRm(c.App.Writer, c.Args().First())
			}},
		},
	}
}

func runModelsList(w io.Writer) error {
	fmt.Fprintf(w, "cache: %s\n", models.CacheDir())
	for _, e := range models.Registry() {
		state := ""
		if _, _, ok := models.Resolve(e.Name, ""); ok {
			state = "pulled"
		}
		size := "?"
		if e.Model.Size > 0 && e.MMProj.Size > 0 {
			size = fmt.Sprintf("%.2f GB", float64(e.Model.Size+e.MMProj.Size)/1e9)
		}
		langs := "multilingual"
		if e.EnglishOnly() {
			langs = "English only"
		}
		if _, err := fmt.Fprintf(w, "%-15s %-38s %-9s %-13s %-24s %s\n", e.Name, e.Title, size, langs, e.License, state); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, "capgen models info --lang de,sw NAME says whether a pair's model card claims a language")
	return err
}

func runModelsPull(ctx context.Context, errw io.Writer, name, base string) error {
	e, err := models.Lookup(name)
	if err != nil {
		return usageError{err}
	}
	last := time.Time{}
	opt := &models.PullOptions{BaseURL: base, Progress: func(file string, done, total int64) {
		if time.Since(last) < 200*time.Millisecond && done != total {
			return
		}
		last = time.Now()
		if total > 0 {
			fmt.Fprintf(errw, "\r%s %5.1f%% %.0f/%.0f MB\x1b[K", file, 100*float64(done)/float64(total), float64(done)/1e6, float64(total)/1e6)
		} else {
			fmt.Fprintf(errw, "\r%s %.0f MB\x1b[K", file, float64(done)/1e6)
		}
	}}
	m, mm, err := models.Pull(ctx, e, opt)
	fmt.Fprintln(errw)
	if err != nil {
		return err
	}
	fmt.Fprintf(errw, "pulled %s:\n  %s\n  %s\nuse it with: capgen describe --model %s IMAGE\n", e.Name, m, mm, e.Name)
	return nil
}

func runModelsInfo(w io.Writer, arg, langList string) error {
	var langs []caption.Language
	if langList != "" {
		var err error
		if langs, err = parseLangs(langList); err != nil {
			return err
		}
	}
	// The claims come from the registry (pulled or not), the toy, or the
	// file's general.languages.
	if _, err := models.Lookup(arg); err == nil || arg == toy.ModelName {
		m := claimsOf(arg, "")
		fmt.Fprintf(w, "%s claims: %s\n", arg, m.describe())
		for _, l := range langs {
			fmt.Fprintf(w, "  %s\n", m.claimLine(l))
		}
		if _, _, ok := models.Resolve(arg, ""); !ok && arg != toy.ModelName {
			_, err := fmt.Fprintf(w, "not pulled yet (capgen models pull %s; models info then shows its files' metadata too)\n", arg)
			return err
		}
	}
	paths := []string{arg}
	if m, mm, ok := models.Resolve(arg, ""); ok {
		paths = []string{m, mm}
	}
	if arg == toy.ModelName {
		m, mm, err := toy.Files()
		if err != nil {
			return err
		}
		paths = []string{m, mm}
	}
	for _, p := range paths {
		f, err := gguf.ReadMetadata(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return usagef("%s: no such file, and not a pulled model name (see capgen models list)", arg)
			}
			return usageError{err}
		}
		fmt.Fprintf(w, "%s\n  architecture: %s\n", p, f.Architecture())
		if _, err := models.Lookup(arg); err != nil && arg != toy.ModelName && p == paths[0] {
			m := claimsOf(arg, p)
			fmt.Fprintf(w, "  languages (general.languages): %s\n", m.describe())
			for _, l := range langs {
				fmt.Fprintf(w, "    %s\n", m.claimLine(l))
			}
		}
		for _, k := range []string{"general.name", "general.file_type", "clip.projector_type", "clip.vision.projector_type", "clip.vision.image_size", "clip.vision.patch_size"} {
			if kv, ok := f.Get(k); ok {
				fmt.Fprintf(w, "  %s: %v\n", k, kv.Value)
			}
		}
		fmt.Fprintf(w, "  parameters: %.1fM, file %.1f MB, %d tensors\n", float64(f.Params())/1e6, float64(f.Size)/1e6, len(f.Tensors))
		if n, err := f.TextEmbeddingLength(); err == nil && n > 0 {
			fmt.Fprintf(w, "  embedding length: %d\n", n)
		}
		if n, err := f.ProjectorEmbeddingLength(); err == nil && n > 0 {
			fmt.Fprintf(w, "  projector output: %d (must equal the text model's embedding length)\n", n)
		}
		if kv, ok := f.Get("tokenizer.ggml.tokens"); ok {
			if toks, ok := kv.Value.([]string); ok {
				fmt.Fprintf(w, "  vocabulary: %d tokens\n", len(toks))
			}
		}
		if t, ok := f.String("tokenizer.chat_template"); ok {
			first := strings.SplitN(strings.TrimSpace(t), "\n", 2)[0]
			if len(first) > 72 {
				first = first[:72] + "..."
			}
			fmt.Fprintf(w, "  chat template: %s\n", first)
		}
	}
	return nil
}

func runModelsRm(w io.Writer, name string) error {
	e, err := models.Lookup(name)
	if err != nil {
		return usageError{err}
	}
	m, _ := e.Paths("")
	dir := filepath.Dir(m)
	if _, err := os.Stat(dir); err != nil {
		return usagef("%s is not pulled", name)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "removed %s\n", dir)
	return err
}
