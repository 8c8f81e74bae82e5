package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/llama"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print capgen's version and the llama.cpp it links",
		Action: func(c *cli.Context) error {
			return runVersion(c.App.Writer)
		},
	}
}

func runVersion(w interface{ Write([]byte) (int, error) }) error {
	_, err := fmt.Fprintf(w, "capgen %s (%s, %s/%s)\nllama.cpp %s from %s\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH, llama.LlamaCppCommit, llama.SourceModule)
	return err
}

// versionString is capgen's module version, "(devel)" in a checkout
// (--version and capgen version print it).
func versionString() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
