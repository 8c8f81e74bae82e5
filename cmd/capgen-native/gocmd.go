package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
)

// source is the capgen module whose CMakeLists.txt and go.mod are built.
type source struct {
	dir     string
	version string // "dev" in a checkout
	// checkout is true for a working tree (the Go command's main module),
	// false for a module cache copy.
	checkout bool
}

// goCmd runs the Go command in dir and returns its standard output. The
// workspace and -mod settings of the caller's environment are left out:
// they belong to the caller's module, not to the one in dir.
func goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS="+withoutModFlag(os.Getenv("GOFLAGS")))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return out, fmt.Errorf("go %s (in %s): %s", strings.Join(args, " "), dir, msg)
	}
	return out, nil
}

func withoutModFlag(goflags string) string {
	var keep []string
	for _, f := range strings.Fields(goflags) {
		if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
			keep = append(keep, f)
		}
	}
	return strings.Join(keep, " ")
}

// moduleDownload is what `go mod download -json` prints of a module.
type moduleDownload struct {
	Path, Version, Dir, Error string
}

// downloadModule downloads mod (mod@version, or the version that the
// module in dir requires, checked against dir's go.sum) into the module
// cache and returns where it is. Unlike `go list -m -f {{.Dir}}`, it does
// not print an empty folder for a module that is not in the cache yet.
func downloadModule(ctx context.Context, dir, mod string) (*moduleDownload, error) {
	out, err := goCmd(ctx, dir, "mod", "download", "-json", mod)
	var m moduleDownload
	if jerr := json.Unmarshal(out, &m); jerr == nil && m.Error != "" {
		return nil, fmt.Errorf("downloading %s: %s", mod, m.Error)
	}
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", mod, err)
	}
	if m.Dir == "" {
		return nil, fmt.Errorf("downloading %s: the Go command named no folder", mod)
	}
	return &m, nil
}

// locateSource finds the capgen module to build: the -source folder, the
// checkout the command runs in, or the version of capgen this binary was
// built from (a dependency of the caller's module, or `go run ...@version`).
func locateSource(ctx context.Context, flagDir string) (*source, error) {
	if flagDir != "" {
		dir, err := filepath.Abs(flagDir)
		if err != nil {
			return nil, err
		}
		if mod, _ := moduleLine(filepath.Join(dir, "go.mod")); mod != modulePath {
			return nil, fmt.Errorf("-source %s is not the %s module", flagDir, modulePath)
		}
		return &source{dir: dir, version: "dev", checkout: true}, nil
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	gomod, _ := goCmd(ctx, cwd, "env", "GOMOD")
	modFile := strings.TrimSpace(string(gomod))
	if modFile != "" && modFile != os.DevNull {
		if mod, _ := moduleLine(modFile); mod == modulePath {
			return &source{dir: filepath.Dir(modFile), version: "dev", checkout: true}, nil
		}
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil, errors.New("no build information in this binary: run it with `go run " + modulePath + "/cmd/capgen-native` or pass -source")
	}
	dep := &bi.Main
	if bi.Main.Path != modulePath {
		i := slices.IndexFunc(bi.Deps, func(m *debug.Module) bool { return m.Path == modulePath })
		if i < 0 {
			return nil, errors.New("cannot tell which capgen to build: run it from a module that requires " + modulePath + ", or pass -source")
		}
		dep = bi.Deps[i]
	}
	if r := dep.Replace; r != nil {
		if r.Version == "" { // replaced by a folder, relative to the main module
			dir := r.Path
			if !filepath.IsAbs(dir) && modFile != "" {
				dir = filepath.Join(filepath.Dir(modFile), dir)
			}
			return &source{dir: dir, version: "dev", checkout: true}, nil
		}
		dep = r
	}
	if dep.Version == "" || dep.Version == "(devel)" {
		return nil, errors.New("this binary was built from a capgen checkout: run it inside the checkout, or pass -source")
	}
	m, err := downloadModule(ctx, cwd, dep.Path+"@"+dep.Version)
	if err != nil {
		return nil, err
	}
	return &source{dir: m.Dir, version: dep.Version}, nil
}

var (
	moduleRE = regexp.MustCompile(`^module\s+(\S+)`)
	pinRE    = regexp.MustCompile(`^\s*(?:require\s+)?` + regexp.QuoteMeta(llamaModule) + `\s+(v\S+)`)
)

// moduleLine returns the module path that go.mod declares.
func moduleLine(goMod string) (string, error) {
	f, err := os.Open(goMod)
	if err != nil {
		return "", err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if m := moduleRE.FindStringSubmatch(s.Text()); m != nil {
			return strings.Trim(m[1], `"`), nil
		}
	}
	return "", s.Err()
}

// pinnedVersion returns the version of the llama.cpp module in go.mod.
func pinnedVersion(goMod string) (string, error) {
	data, err := os.ReadFile(goMod)
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if m := pinRE.FindStringSubmatch(line); m != nil {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("%s requires no %s (the module that carries llama.cpp)", goMod, llamaModule)
}

// addGoEnv appends each flag to its variable in the Go environment
// (go env -w), keeping what the variable held, and returns the
// assignments it made. A variable that already holds the flag is left.
func addGoEnv(ctx context.Context, add map[string]string) ([]string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range add {
			if !yield(k) {
				return
			}
		}
	})
	out, err := goCmd(ctx, cwd, append([]string{"env", "-json"}, keys...)...)
	if err != nil {
		return nil, err
	}
	var cur map[string]string
	if err := json.Unmarshal(out, &cur); err != nil {
		return nil, fmt.Errorf("go env -json: %w", err)
	}
	var set []string
	for _, k := range keys {
		v, ok := mergeFlag(cur[k], add[k])
		if !ok {
			continue
		}
		if os.Getenv(k) != "" {
			return nil, fmt.Errorf("%s is set in this shell's environment, which overrides go env -w: add %s to it there", k, add[k])
		}
		set = append(set, k+"="+v)
	}
	if len(set) == 0 {
		return nil, nil
	}
	if _, err := goCmd(ctx, cwd, append([]string{"env", "-w"}, set...)...); err != nil {
		return nil, err
	}
	return set, nil
}

// mergeFlag appends flag to the space-separated value unless it is there.
func mergeFlag(value, flag string) (string, bool) {
	if slices.Contains(strings.Fields(value), flag) {
		return value, false
	}
	return strings.TrimSpace(value + " " + flag), true
}
