// Command capgen captions images in many languages with local vision-LLMs.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

// Exit codes; documented in README.md.
const (
	exitOK          = 0
	exitFailure     = 1 // the command failed
	exitUsage       = 2 // bad flags, arguments or input files
	exitInterrupted = 130
)

// usageError marks errors caused by the user's input (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func newApp() *cli.App {
	return &cli.App{
		Name:                 "capgen",
		Usage:                "caption images in many languages with local vision-LLMs",
		EnableBashCompletion: true,
		// --box 0,0,10,10 is one value, not four.
		DisableSliceFlagSeparator: true,
		HideHelpCommand:      true,
		Commands: []*cli.Command{
			describeCommand(),
			regionsCommand(),
			denseCommand(),
			languagesCommand(),
			systemCommand(),
			versionCommand(),
		},
		// Errors are printed once, by main, as a single line.
		ExitErrHandler: func(*cli.Context, error) {},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args))
}

// run executes the CLI and maps errors to exit codes in one place.
func run(ctx context.Context, args []string) int {
	err := newApp().RunContext(ctx, args)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(os.Stderr, "capgen: interrupted")
		return exitInterrupted
	default:
		fmt.Fprintln(os.Stderr, "capgen:", err)
		var ue usageError
		if errors.As(err, &ue) {
			return exitUsage
		}
		return exitFailure
	}
}
