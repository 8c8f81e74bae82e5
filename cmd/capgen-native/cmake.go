package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

type tools struct {
	cmake, ninja string
}

// aptHint names the Debian/Ubuntu packages of the build tools.
const aptHint = "on Debian/Ubuntu: apt-get install -y cmake ninja-build g++ ccache"

// findTools checks for the build tools before anything is downloaded.
func findTools(backend string) (*tools, error) {
	var t tools
	var err error
	if t.cmake, err = exec.LookPath("cmake"); err != nil {
		return nil, fmt.Errorf("cmake not found (3.21 or newer is needed; %s)", aptHint)
	}
	if err := checkCMakeVersion(t.cmake); err != nil {
		return nil, err
	}
	cxx := os.Getenv("CXX")
	if cxx == "" {
		for _, c := range []string{"c++", "g++", "clang++"} {
			if _, err := exec.LookPath(c); err == nil {
				cxx = c
				break
			}
		}
	}
	if cxx == "" {
		return nil, fmt.Errorf("no C++ compiler found (c++, g++ or clang++; %s)", aptHint)
	}
	if backend == "cuda" {
		if _, err := exec.LookPath("nvcc"); err != nil {
			return nil, fmt.Errorf("-backend cuda needs nvcc on PATH (the CUDA toolkit; on Debian: apt-get install nvidia-cuda-toolkit)")
		}
	}
	t.ninja, _ = exec.LookPath("ninja") // optional: CMake's default generator works too
	return &t, nil
}

func checkCMakeVersion(cmake string) error {
	out, err := exec.Command(cmake, "--version").Output()
	if err != nil {
		return fmt.Errorf("%s --version: %v", cmake, err)
	}
	major, minor, ok := parseCMakeVersion(string(out))
	if !ok {
		return nil // an unusual build: let CMake itself say
	}
	if major < 3 || major == 3 && minor < 21 {
		return fmt.Errorf("cmake %d.%d is too old: 3.21 or newer is needed", major, minor)
	}
	return nil
}

func parseCMakeVersion(out string) (major, minor int, ok bool) {
	first, _, _ := strings.Cut(out, "\n")
	f := strings.Fields(first)
	if len(f) < 3 || f[0] != "cmake" || f[1] != "version" {
		return 0, 0, false
	}
	parts := strings.SplitN(f[2], ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	var err1, err2 error
	major, err1 = strconv.Atoi(parts[0])
	minor, err2 = strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// cmakeBuild is one CMake build folder of capgen's CMakeLists.txt.
type cmakeBuild struct {
	cmake    string
	ninja    bool
	source   string
	dir      string
	defines  []string
	jobs     int
	progress io.Writer
}

// argsFile records the configure arguments of the last configure run, so
// that a rebuild with the same settings skips straight to the build
// (which re-runs CMake by itself when CMakeLists.txt changes).
const argsFile = "capgen-native.args"

func (b *cmakeBuild) configure(ctx context.Context) error {
	cache := filepath.Join(b.dir, "CMakeCache.txt")
	home, hasCache := cacheValue(cache, "CMAKE_HOME_DIRECTORY")
	if hasCache && !sameDir(home, b.source) {
		// A build folder of another capgen folder: CMake refuses to
		// reuse it, so start it afresh.
		fmt.Fprintf(b.progress, "capgen-native: %s was configured for %s; configuring it afresh\n", b.dir, home)
		os.Remove(cache)
		os.RemoveAll(filepath.Join(b.dir, "CMakeFiles"))
		hasCache = false
	}
	args := []string{"-S", b.source, "-B", b.dir}
	if !hasCache && b.ninja {
		args = append(args, "-G", "Ninja")
	}
	for _, d := range b.defines {
		args = append(args, "-D"+d)
	}
	stamp := strings.Join(b.defines, "\n") + "\n" + b.source + "\n"
	if old, err := os.ReadFile(filepath.Join(b.dir, argsFile)); hasCache && err == nil && string(old) == stamp {
		return nil
	}
	if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return fmt.Errorf("build folder: %w", err)
	}
	if out, err := b.run(ctx, true, args...); err != nil {
		return fmt.Errorf("configuring llama.cpp with CMake failed:\n%s", out)
	}
	return os.WriteFile(filepath.Join(b.dir, argsFile), []byte(stamp), 0o644)
}

func (b *cmakeBuild) build(ctx context.Context) error {
	if _, err := b.run(ctx, false, "--build", b.dir, "-j", strconv.Itoa(b.jobs)); err != nil {
		return fmt.Errorf("building llama.cpp failed (the compiler's messages are above; build folder %s): %w", b.dir, err)
	}
	return nil
}

func (b *cmakeBuild) install(ctx context.Context, prefix string) error {
	if out, err := b.run(ctx, true, "--install", b.dir, "--prefix", prefix); err != nil {
		return fmt.Errorf("installing into %s failed:\n%s", prefix, out)
	}
	return nil
}

// run runs cmake. A quiet step keeps its output for the error; the build
// step shows its progress, except Ninja's note that nothing changed.
func (b *cmakeBuild) run(ctx context.Context, quiet bool, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, b.cmake, args...)
	var buf bytes.Buffer
	if quiet {
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		return buf.String(), err
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := bufio.NewScanner(pr)
		s.Buffer(make([]byte, 64<<10), 1<<20)
		for s.Scan() {
			line := s.Text()
			if line == "ninja: no work to do." {
				continue
			}
			fmt.Fprintln(b.progress, line)
		}
		io.Copy(io.Discard, pr)
	}()
	err := cmd.Run()
	pw.Close()
	<-done
	return "", err
}

// cacheValue reads one entry (NAME:TYPE=VALUE) of a CMakeCache.txt.
func cacheValue(cache, name string) (string, bool) {
	data, err := os.ReadFile(cache)
	if err != nil {
		return "", false
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if n, _, _ := strings.Cut(k, ":"); n == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}
