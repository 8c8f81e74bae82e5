package main

import (
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/batch"
	"github.com/capgen/capgen/sidecar"
)

func journalCommand() *cli.Command {
	return &cli.Command{
		Name:  "journal",
		Usage: "work with batch journals: merge",
		Subcommands: []*cli.Command{{
			Name:      "merge",
			Usage:     "combine journals (the shards of a --shard run, or runs on several machines) into one",
			ArgsUsage: "JOURNAL...",
			Flags:     []cli.Flag{&cli.StringFlag{Name: "out", Usage: "the merged journal (must not exist yet)", Required: true}},
			Action: func(c *cli.Context) error {
				if c.NArg() == 0 {
					return usagef("journal merge takes the journals to merge")
				}
				return runJournalMerge(c.App.ErrWriter, c.String("out"), c.Args().Slice())
			},
		}},
	}
}

func runJournalMerge(errw io.Writer, out string, inputs []string) error {
	for _, in := range inputs {
		if in == out {
			return usagef("--out %s is also an input", out)
		}
		if _, err := os.Stat(in); err != nil {
			return usagef("%v", err)
		}
	}
	if _, err := os.Stat(out); err == nil {
		return usagef("--out %s exists; merge into a new file", out)
	}
	j, err := sidecar.OpenJournal(out)
	if err != nil {
		return usagef("--out %s: %v", out, err)
	}
	sum, err := batch.Merge(inputs, j)
	if cerr := j.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for _, c := range sum.Conflicts {
		fmt.Fprintf(errw, "capgen: conflict: %s\n", c)
	}
	fmt.Fprintf(errw, "capgen: %d records from %d journals -> %d in %s (%d duplicates, %d conflicts)\n",
		sum.Read, sum.Inputs, sum.Written, out, sum.Duplicates, len(sum.Conflicts))
	return nil
}
