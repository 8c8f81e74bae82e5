package main

import (
	"fmt"
	"io"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/llama"
)

func systemCommand() *cli.Command {
	return &cli.Command{
		Name:  "system",
		Usage: "show the compute backends, devices and memory capgen can use",
		Action: func(c *cli.Context) error {
			return runSystem(c.App.Writer)
		},
	}
}

func runSystem(w io.Writer) error {
	fmt.Fprintf(w, "cpus: %d (GOMAXPROCS %d), default threads %d\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), llama.DefaultThreads())
	fmt.Fprintf(w, "gpu offload: %v\n", llama.SupportsGPUOffload())
	fmt.Fprintf(w, "llama.cpp: %s\n", llama.SystemInfo())
	fmt.Fprintf(w, "backend built: %s\n", llama.Backend)
	for _, d := range llama.Devices() {
		fmt.Fprintf(w, "device %s (%s): %s, %s free of %s\n", d.Name, d.Kind, d.Description, gib(d.FreeBytes), gib(d.TotalBytes))
	}
	if note := gpuNote(); note != "" {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	return nil
}

// gpuNote says when a GPU build finds no GPU: it then runs on the CPU.
func gpuNote() string {
	if llama.Backend == "cpu" || llama.HasGPU() {
		return ""
	}
	return fmt.Sprintf("this binary is built with %s but found no GPU, so models run on the CPU (for CUDA, check the driver with nvidia-smi)", llama.Backend)
}

func gib(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) }
