package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
)

// modulePath is capgen's module; llamaModule carries llama.cpp's sources.
const (
	modulePath  = "github.com/capgen/capgen"
	llamaModule = "github.com/ollama/ollama"
)

type options struct {
	prefix   string
	backend  string
	cudaArch string
	portable bool
	jobs     int
	buildDir string
	llamaSrc string
	source   string
	goEnv    bool
}

func main() {
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "capgen-native:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, opts, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "capgen-native:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("capgen-native", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.prefix, "prefix", defaultPrefix(os.Getenv("HOME")), "install `DIR` (lib/ and include/capgen/ under it)")
	fs.StringVar(&o.backend, "backend", defaultBackend(runtime.GOOS), "`NAME` of the ggml backend: cpu, cuda or metal")
	fs.StringVar(&o.cudaArch, "cuda-arch", "", "CUDA architectures (`LIST`, such as 86 or 80;90); default: this machine's GPU")
	fs.BoolVar(&o.portable, "portable", false, "x86-64-v3 code instead of this machine's CPU features")
	fs.IntVar(&o.jobs, "jobs", runtime.NumCPU(), "parallel compile jobs")
	fs.StringVar(&o.buildDir, "build-dir", "", "CMake build `DIR`, kept for incremental rebuilds (default: the user cache folder)")
	fs.StringVar(&o.llamaSrc, "llama-src", "", "llama.cpp sources `DIR` (the pinned module's llama/ and ml/ folders) instead of the module download")
	fs.StringVar(&o.source, "source", "", "capgen's module `DIR` (default: the capgen this command was built from)")
	fs.BoolVar(&o.goEnv, "go-env", false, "record -I/-L flags for the prefix in the Go environment (go env -w)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run %s/cmd/capgen-native [flags]\n\n"+
			"Builds llama.cpp, ggml and mtmd for package llama and installs them into a prefix.\n\n", modulePath)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (all settings are flags; see -help)", fs.Arg(0))
	}
	switch o.backend {
	case "cpu", "cuda", "metal":
	default:
		return nil, fmt.Errorf("-backend %q: use cpu, cuda or metal", o.backend)
	}
	if o.cudaArch != "" && o.backend != "cuda" {
		return nil, fmt.Errorf("-cuda-arch needs -backend cuda")
	}
	if o.jobs < 1 || o.jobs > 1024 {
		return nil, fmt.Errorf("-jobs %d: use 1 to 1024", o.jobs)
	}
	if o.prefix == "" {
		return nil, fmt.Errorf("-prefix is empty and $HOME is not set: name the install folder")
	}
	var err error
	if o.prefix, err = filepath.Abs(o.prefix); err != nil {
		return nil, fmt.Errorf("-prefix: %w", err)
	}
	return o, nil
}

// defaultPrefix is ~/.local: an install of one's own, without root.
// -prefix /usr/local installs for every user of the machine.
func defaultPrefix(home string) string {
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".local")
}

func defaultBackend(goos string) string {
	if goos == "darwin" {
		return "metal"
	}
	return "cpu"
}

// searchedByDefault reports whether the C compiler and linker find
// prefix/include and prefix/lib without flags.
func searchedByDefault(prefix string) bool {
	return prefix == "/usr/local" || prefix == "/usr"
}

func run(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	tools, err := findTools(o.backend)
	if err != nil {
		return err
	}
	src, err := locateSource(ctx, o.source)
	if err != nil {
		return err
	}
	pin, err := pinnedVersion(filepath.Join(src.dir, "go.mod"))
	if err != nil {
		return err
	}
	llamaSrc := o.llamaSrc
	if llamaSrc == "" {
		m, err := downloadModule(ctx, src.dir, llamaModule)
		if err != nil {
			return err
		}
		if m.Version != pin {
			return fmt.Errorf("%s: go.mod pins %s but the Go command resolved %s", src.dir, pin, m.Version)
		}
		llamaSrc = m.Dir
	}
	if _, err := os.Stat(filepath.Join(llamaSrc, "llama", "llama.cpp", "include", "llama.h")); err != nil {
		return fmt.Errorf("-llama-src %s holds no llama/llama.cpp/include/llama.h (it takes the %s module's folder, or a copy of its llama/ and ml/ folders)", llamaSrc, llamaModule)
	}
	buildDir := o.buildDir
	if buildDir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return fmt.Errorf("no user cache folder for the build (%v): pass -build-dir", err)
		}
		buildDir = filepath.Join(cache, "capgen", "native", buildName(src.version, o.backend, o.portable))
	}
	if buildDir, err = filepath.Abs(buildDir); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "capgen-native: capgen %s, llama.cpp from %s %s, backend %s\n", src.version, llamaModule, pin, o.backend)
	b := &cmakeBuild{
		cmake:    tools.cmake,
		ninja:    tools.ninja != "",
		source:   src.dir,
		dir:      buildDir,
		defines:  cmakeDefines(o, llamaSrc, pin),
		jobs:     o.jobs,
		progress: stderr,
	}
	if err := b.configure(ctx); err != nil {
		return err
	}
	if err := b.build(ctx); err != nil {
		return err
	}
	if err := b.install(ctx, o.prefix); err != nil {
		return err
	}
	if err := checkInstalled(o.prefix, o.backend); err != nil {
		return err
	}
	return advise(ctx, o, src, stdout)
}

func buildName(version, backend string, portable bool) string {
	name := strings.NewReplacer("/", "_", "+", "_").Replace(version) + "-" + backend
	if portable {
		name += "-portable"
	}
	return name
}

func cmakeDefines(o *options, llamaSrc, pin string) []string {
	d := []string{
		"CMAKE_BUILD_TYPE=Release",
		"LLAMA_SOURCE_ROOT=" + llamaSrc,
		"CAPGEN_LLAMA_PIN=" + pin,
		"CAPGEN_CUDA=" + onOff(o.backend == "cuda"),
		"CAPGEN_METAL=" + onOff(o.backend == "metal"),
		"CAPGEN_PORTABLE=" + onOff(o.portable),
	}
	if o.cudaArch != "" {
		d = append(d, "CMAKE_CUDA_ARCHITECTURES="+o.cudaArch)
	}
	return d
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

// libraries are the archives package llama links for a backend, in link
// order (llama/link_*.go names the same).
func libraries(backend string) []string {
	libs := []string{"capgen_mtmd", "capgen_llama", "capgen_ggml"}
	switch backend {
	case "cuda":
		libs = append(libs, "capgen_ggml_cuda")
	case "metal":
		libs = append(libs, "capgen_ggml_metal")
	}
	return append(libs, "capgen_ggml_cpu", "capgen_ggml_base")
}

// checkInstalled makes sure the prefix holds what package llama needs, so
// that a wrong prefix fails here and not in a later `go build`.
func checkInstalled(prefix, backend string) error {
	need := []string{filepath.Join(prefix, "include", "capgen", "capgen_native.h")}
	for _, h := range []string{"llama.h", "mtmd.h", "ggml.h", "gguf.h"} {
		need = append(need, filepath.Join(prefix, "include", "capgen", h))
	}
	for _, l := range libraries(backend) {
		need = append(need, filepath.Join(prefix, "lib", "lib"+l+".a"))
	}
	for _, p := range need {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("install into %s is incomplete: %w", prefix, err)
		}
	}
	return nil
}

// advise says what a Go build needs to find the prefix, and records it in
// the Go environment with -go-env.
func advise(ctx context.Context, o *options, src *source, w io.Writer) error {
	fmt.Fprintf(w, "installed capgen's native libraries (%s) into %s\n", o.backend, o.prefix)
	tags := ""
	if o.backend != "cpu" {
		tags = " -tags " + o.backend
	}
	if src.checkout && sameDir(o.prefix, filepath.Join(src.dir, "build")) {
		fmt.Fprintf(w, "package llama of this checkout links them: go build%s ./...\n", tags)
		return nil
	}
	if searchedByDefault(o.prefix) {
		fmt.Fprintf(w, "the C compiler and linker find them there: go build%s\n", tags)
		return nil
	}
	cpp, ld := "-I"+filepath.Join(o.prefix, "include"), "-L"+filepath.Join(o.prefix, "lib")
	if !o.goEnv {
		fmt.Fprintf(w, "%s is not searched by default; tell the Go command once (or run again with -go-env):\n", o.prefix)
		fmt.Fprintf(w, "  go env -w CGO_CPPFLAGS=%q CGO_LDFLAGS=%q\n", cpp, "-O2 -g "+ld)
		fmt.Fprintf(w, "or for one shell:\n  export CGO_CPPFLAGS=%q CGO_LDFLAGS=%q\n", cpp, "-O2 -g "+ld)
		fmt.Fprintf(w, "then: go build%s\n", tags)
		return nil
	}
	changed, err := addGoEnv(ctx, map[string]string{"CGO_CPPFLAGS": cpp, "CGO_LDFLAGS": ld})
	if err != nil {
		return err
	}
	for _, c := range changed {
		fmt.Fprintf(w, "go env -w %s\n", c)
	}
	fmt.Fprintf(w, "then: go build%s\n", tags)
	return nil
}

func sameDir(a, b string) bool {
	ai, err1 := os.Stat(a)
	bi, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ai, bi)
}
