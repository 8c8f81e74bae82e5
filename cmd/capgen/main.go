package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
)

// Exit codes; documented in README.md.
const (
	exitOK          = 0
	exitFailure     = 1 // the command failed
	exitUsage       = 2 // bad flags, arguments or input files
	exitInterrupted = 130
)

// exitCodeError carries a specific exit code.
type exitCodeError struct {
	code int
	err  error
	// reported: the command has said it already (as a JSON event), so
	// main prints nothing more.
	reported bool
}

func (e exitCodeError) Error() string { return e.err.Error() }
func (e exitCodeError) Unwrap() error { return e.err }

// usageError marks errors caused by the user's input (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func newApp() *cli.App {
	app := &cli.App{
		Name:                 "capgen",
		Usage:                "caption images in many languages with local vision-LLMs",
		EnableBashCompletion: true,
		// --box 0,0,10,10 is one value, not four.
		DisableSliceFlagSeparator: true,
		Version:                   versionString(),
		Flags:                     globalFlags(),
		Commands: []*cli.Command{
			withConfig(describeCommand()),
			withConfig(regionsCommand()),
			withConfig(denseCommand()),
			withConfig(batchCommand()),
			withConfig(serveCommand()),
			withConfig(evalCommand()),
			withConfig(benchCommand()),
			modelsCommand(),
			journalCommand(),
			configCommand(),
			languagesCommand(),
			systemCommand(),
			versionCommand(),
		},
		// Errors are printed once, by main, as a single line.
		ExitErrHandler: func(*cli.Context, error) {},
	}
	// The global flags are accepted after a command too (capgen batch -q).
	for _, cmd := range app.Commands {
		cmd.Flags = append(cmd.Flags, globalFlags()...)
	}
	return app
}

// global returns the context in which a global flag was given: before
// the command (capgen -q batch) or after it (capgen batch -q); c when it
// was given in neither.
func global(c *cli.Context, name string) *cli.Context {
	for _, ctx := range c.Lineage() {
		if ctx.IsSet(name) {
			return ctx
		}
	}
	return c
}

// globalFlags are the flags of every command.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "config file (default $XDG_CONFIG_HOME/capgen/config.yaml)", EnvVars: []string{"CAPGEN_CONFIG"}},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress or summary on stderr (errors are still printed)", EnvVars: []string{"CAPGEN_QUIET"}},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal cancels ctx (batch finishes the images in progress
	// and exits 130); the default action is back for a second one, which
	// stops the process at once.
	context.AfterFunc(ctx, stop)
	os.Exit(run(ctx, os.Args))
}

// run executes the CLI and maps errors to exit codes in one place.
func run(ctx context.Context, args []string) int {
	return runApp(ctx, newApp(), args, os.Stderr)
}

func runApp(ctx context.Context, app *cli.App, args []string, stderr io.Writer) int {
	// An error before a command's action runs is urfave/cli's own: a
	// missing or malformed flag, an unknown command. Those are usage errors.
	entered := false
	var mark func(cmds []*cli.Command)
	mark = func(cmds []*cli.Command) {
		for _, cmd := range cmds {
			if action := cmd.Action; action != nil {
				cmd.Action = func(c *cli.Context) error {
					entered = true
					return action(c)
				}
			}
			mark(cmd.Subcommands) // models pull, info, ...
		}
	}
	mark(app.Commands)
	err := app.RunContext(context.WithValue(ctx, stderrKey{}, stderr), args)
	if err != nil && !entered {
		err = usageError{err}
	}
	code := exitCode(err)
	var ce exitCodeError
	switch {
	case code == exitOK:
	case errors.As(err, &ce) && ce.reported:
	case code == exitInterrupted:
		fmt.Fprintln(stderr, "capgen: interrupted")
	default:
		fmt.Fprintln(stderr, "capgen:", err)
	}
	return code
}

// stderrKey carries the app's error writer in the context, for notes
// from deep in a command (a setting that was lowered, say).
type stderrKey struct{}

// notef writes a one-line note to the command's error output.
func notef(ctx context.Context, format string, args ...any) {
	if w, ok := ctx.Value(stderrKey{}).(io.Writer); ok {
		fmt.Fprintf(w, "capgen: "+format+"\n", args...)
	}
}

// exitCode is the one place errors become exit codes: a command's own
// code (exitCodeError), a usage error of the flags, or the class of the
// error (caption.ClassOf) for everything the packages below return.
func exitCode(err error) int {
	var ce exitCodeError
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ce):
		return ce.code
	case errors.As(err, &ue):
		return exitUsage
	}
	switch caption.ClassOf(err) {
	case caption.ClassInterrupted:
		return exitInterrupted
	case caption.ClassInput, caption.ClassModel, caption.ClassResource:
		return exitUsage
	}
	return exitFailure
}
