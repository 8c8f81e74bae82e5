package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
)

func languagesCommand() *cli.Command {
	return &cli.Command{
		Name:  "languages",
		Usage: "list the languages capgen can caption in",
		Action: func(c *cli.Context) error {
			return runLanguages(c.App.Writer)
		},
	}
}

func runLanguages(w io.Writer) error {
	tmpl := caption.DefaultTemplates()
	fmt.Fprintf(w, "%-8s %-5s %-6s %-24s %-24s %s\n", "tag", "iso3", "script", "english", "native", "prompts")
	for _, l := range caption.Languages() {
		prompts := "english"
		if tmpl.Native(l, caption.ModeBrief) {
			prompts = "native"
		}
		if _, err := fmt.Fprintf(w, "%-8s %-5s %-6s %-24s %-24s %s\n", l.Tag, l.ISO3, l.Script, l.English, l.Native, prompts); err != nil {
			return err
		}
	}
	return nil
}
