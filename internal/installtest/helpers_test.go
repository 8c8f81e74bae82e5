package installtest

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/capgen/capgen/toy/scene"
)

// requireFresh skips unless CAPGEN_FRESH=1: each test builds llama.cpp
// from scratch.
func requireFresh(t *testing.T) {
	t.Helper()
	if os.Getenv("CAPGEN_FRESH") != "1" {
		t.Skip("builds llama.cpp from scratch (several minutes on two cores): run with CAPGEN_FRESH=1 (make test-fresh; .ci/run does)")
	}
}

// repoRoot is the checkout these tests run in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal(err)
	}
	return root
}

// cleanCopy skips unless CAPGEN_FRESH=1, then copies the working tree
// into a temporary folder as name; it returns the checkout, the temporary
// folder and the copy.
func cleanCopy(t *testing.T, name string) (root, tmp, dir string) {
	t.Helper()
	requireFresh(t)
	root = repoRoot(t)
	tmp = t.TempDir()
	dir = filepath.Join(tmp, name)
	copyTree(t, root, dir)
	return root, tmp, dir
}

// copyTree copies what a clone of the working tree holds: the files git
// tracks (as they are now) and the untracked ones it does not ignore, but
// nothing built (build/, bin/) and no .git.
func copyTree(t *testing.T, root, dst string) {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "-c", "-o", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	n := 0
	for name := range strings.SplitSeq(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		st, err := os.Lstat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue // deleted in the working tree, or not a plain file
		}
		target := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, data, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("git ls-files listed no files")
	}
}

// freshEnv is this process's environment with the Go command pointed at
// empty caches under tmp, a temporary HOME (and so Go environment file,
// ~/.local and ~/.cache), and the modules of this machine's module
// download cache served as a file proxy: a fresh machine without network.
// extraProxies come first.
func freshEnv(t *testing.T, tmp string, goflags string, extraProxies ...string) []string {
	t.Helper()
	gomodcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	var proxies []string
	for _, p := range extraProxies {
		proxies = append(proxies, "file://"+p)
	}
	proxies = append(proxies, "file://"+filepath.Join(strings.TrimSpace(string(gomodcache)), "cache", "download"))
	drop := []string{"GOMODCACHE", "GOCACHE", "GOPROXY", "GOFLAGS", "GOSUMDB", "GONOSUMDB", "GOPRIVATE",
		"GONOPROXY", "GOWORK", "GOENV", "GOTOOLCHAIN", "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
		"CGO_CPPFLAGS", "CGO_CFLAGS", "CGO_LDFLAGS", "CAPGEN_FRESH", "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "LLAMA_SRC"}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		keep := true
		for _, d := range drop {
			if k == d || strings.HasPrefix(k, "CAPGEN_") {
				keep = false
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	home := filepath.Join(tmp, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	return append(env,
		"HOME="+home,
		"GOMODCACHE="+filepath.Join(tmp, "gomodcache"),
		"GOCACHE="+filepath.Join(tmp, "gocache"),
		"GOPROXY="+strings.Join(proxies, ","),
		// The module cache is made writable so that the test's TempDir
		// can be removed; the download cache holds no checksum database.
		"GOFLAGS="+strings.TrimSpace("-modcacherw "+goflags),
		"GOSUMDB=off",
		"GOWORK=off",
		"GOTOOLCHAIN=local",
	)
}

// run runs a command and returns its combined output; its duration and,
// on failure, the tail of its output go to the test log.
func run(t *testing.T, dir string, env []string, timeout time.Duration, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out)
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	err := cmd.Run()
	t.Logf("%s %s: %v in %s", name, strings.Join(args, " "), errOr(err), time.Since(start).Round(time.Second))
	if err != nil {
		t.Logf("output (last 4000 bytes):\n%s", tail(out.String(), 4000))
	}
	return out.String(), err
}

func errOr(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

func jobs() string { return strconv.Itoa(runtime.NumCPU()) }

// sceneCaption is the canonical caption of testdata/scene.png in lang: a
// yellow triangle top left, a green star bottom left and a blue triangle
// bottom right, which the toy model reads exactly.
func sceneCaption(t *testing.T, lang string) string {
	t.Helper()
	s := scene.Scene{Rows: 2, Cols: 2, Cells: []scene.Cell{
		{Filled: true, Shape: scene.Triangle, Colour: scene.Yellow}, {},
		{Filled: true, Shape: scene.Star, Colour: scene.Green}, {Filled: true, Shape: scene.Triangle, Colour: scene.Blue},
	}}
	c, err := scene.Caption(s, lang)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
