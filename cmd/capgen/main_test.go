package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/capgen/capgen/internal/testmodels"
)

func TestMain(m *testing.M) {
	// The test binary doubles as the capgen command of the scripts in
	// testdata/script (see script_test.go).
	code := testscript.RunMain(m, map[string]func() int{
		"capgen": func() int { return run(context.Background(), os.Args) },
	})
	testmodels.Cleanup()
	os.Exit(code)
}

// capture runs the CLI with args and returns its exit code and output.
func capture(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	app := newApp()
	app.Writer, app.ErrWriter = &out, &errOut
	code := runApp(context.Background(), app, append([]string{"capgen"}, args...), &errOut)
	return code, out.String(), errOut.String()
}

func scene(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "scene.png"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDescribeJSON(t *testing.T) {
	p := testmodels.Tiny(t, "tiny-llava")
	code, out, errOut := capture(t, "describe", "--model", p.Model, "--mmproj", p.MMProj, "--threads", "1",
		"--on-mismatch", "keep", "--lang", "de,ja", "--max-tokens", "6", "--format", "json", scene(t))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		File     string
		Captions []struct {
			Language string
			Text     string
			Tokens   int
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(res.Captions) != 2 || res.Captions[0].Language != "de" || res.Captions[1].Language != "ja" {
		t.Errorf("captions %+v", res.Captions)
	}
}

func TestExitCodes(t *testing.T) {
	p := testmodels.Tiny(t, "tiny-llava")
	dir := t.TempDir()
	notImage := filepath.Join(dir, "notes.jpg")
	os.WriteFile(notImage, []byte("hello"), 0o644)
	m := []string{"--model", p.Model, "--mmproj", p.MMProj, "--threads", "1"}
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing image", append(append([]string{"describe"}, m...), filepath.Join(dir, "none.png")), exitUsage, "none.png"},
		{"not an image", append(append([]string{"describe"}, m...), notImage), exitUsage, "unknown image format"},
		{"unknown language", append(append([]string{"describe", "--lang", "germna"}, m...), scene(t)), exitUsage, "did you mean de"},
		{"missing model", []string{"describe", "--model", filepath.Join(dir, "x.gguf"), "--mmproj", p.MMProj, scene(t)}, exitUsage, "does not exist"},
		{"projector as model", []string{"describe", "--model", p.MMProj, "--mmproj", p.MMProj, scene(t)}, exitUsage, "mmproj projector"},
		{"bad box", append(append([]string{"regions", "--box", "5,5,5,9"}, m...), scene(t)), exitUsage, "empty"},
		{"no args", []string{"describe", "--model", "a", "--mmproj", "b"}, exitUsage, "one image"},
		{"missing flag", []string{"describe", scene(t)}, exitUsage, "model"},
		{"unknown flag", []string{"describe", "--colour", scene(t)}, exitUsage, "colour"},
		{"bad format", append(append([]string{"describe", "--format", "xml"}, m...), scene(t)), exitUsage, "--format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := capture(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (%s)", code, c.code, errOut)
			}
			if !strings.Contains(errOut, c.msg) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("stderr %q: want one line mentioning %q", errOut, c.msg)
			}
		})
	}
}

// Each resource setting out of range is a one-line usage error or a
// stated clamp, never a hang.
func TestResourceBounds(t *testing.T) {
	img := scene(t)
	run := func(args ...string) (int, string) {
		t.Helper()
		code, _, errOut := capture(t, append(append([]string{"describe", "--model", "toy", "--lang", "en"}, args...), img)...)
		return code, errOut
	}
	code, errOut := run("--threads", "10000")
	if code != exitOK || !strings.Contains(errOut, "--threads 10000: this machine has") {
		t.Errorf("--threads 10000: exit %d, %q: want the clamp stated and a caption", code, errOut)
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--threads", "-1"}, "--threads -1"},
		{[]string{"--ctx-size", "10"}, "--ctx-size 10: use 0 (8192) or 256 to"},
		{[]string{"--ctx-size", "99999999"}, "--ctx-size 99999999"},
		{[]string{"--max-side", "1"}, "--max-side 1: use 16 to 16384"},
		{[]string{"--max-tokens", "1000000"}, "--max-tokens 1000000: use 0 (by detail) to 65536"},
		{[]string{"--prompt", strings.Repeat("x", 20000)}, "--prompt holds 20000 bytes; the limit is"},
		{[]string{"--parallel", "1"}, "--parallel 1: use 0 (auto) or 2 to"},
	} {
		code, errOut := run(c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.msg) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("%v: exit %d, %q: want exit %d and one line with %q", c.args[0], code, errOut, exitUsage, c.msg)
		}
	}
}

// The conventions of command-line tools people know: help and help
// COMMAND, --version, global flags after the command, a suggestion for a
// mistyped model name, models info toy, the no-model message naming the
// ways to give one, and a failed download as a failure (1), not bad input.
func TestCLIConventions(t *testing.T) {
	code, out, errOut := capture(t, "help")
	if code != exitOK || !strings.Contains(out, "describe") || !strings.Contains(out, "batch") {
		t.Errorf("help: exit %d: %s%s", code, out, errOut)
	}
	code, out, _ = capture(t, "help", "describe")
	if code != exitOK || !strings.Contains(out, "capgen describe") {
		t.Errorf("help describe: exit %d: %s", code, out)
	}
	code, out, _ = capture(t, "--version")
	if code != exitOK || !strings.HasPrefix(out, "capgen version ") {
		t.Errorf("--version: exit %d: %q", code, out)
	}
	dir := t.TempDir()
	code, _, errOut = capture(t, "batch", "-q", "--model", "toy", "--out", filepath.Join(dir, "j.jsonl"), scene(t))
	if code != exitOK || strings.Contains(errOut, "captioned") {
		t.Errorf("batch -q: exit %d, stderr %q: want the global flag after the command, no summary", code, errOut)
	}
	code, _, errOut = capture(t, "describe", "--model", "smolvm-256m", scene(t))
	if code != exitUsage || !strings.Contains(errOut, "did you mean smolvlm-256m?") {
		t.Errorf("mistyped model: exit %d: %s", code, errOut)
	}
	code, _, errOut = capture(t, "describe", scene(t))
	for _, want := range []string{"--model", "models pull", "toy", "config file"} {
		if code != exitUsage || !strings.Contains(errOut, want) {
			t.Errorf("no model: exit %d, message %q lacks %q", code, errOut, want)
		}
	}
	code, out, errOut = capture(t, "models", "info", "toy")
	if code != exitOK || !strings.Contains(out, "capgen-toy-F32.gguf") || !strings.Contains(out, "projector output") {
		t.Errorf("models info toy: exit %d: %s%s", code, out, errOut)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	t.Setenv("CAPGEN_MODELS", t.TempDir())
	code, _, errOut = capture(t, "models", "pull", "--base-url", down.URL, "smolvlm-256m")
	if code != exitFailure || !strings.Contains(errOut, "503") {
		t.Errorf("pull from a failing server: exit %d (want %d): %s", code, exitFailure, errOut)
	}
}

// The limits named in error messages are real flags: --max-pixels and
// --max-file-size, for describe and for batch (where a file over the size
// is refused before it is read).
func TestImageLimitFlags(t *testing.T) {
	img := scene(t) // 480x360: 0.17 megapixels
	code, _, errOut := capture(t, "describe", "--model", "toy", "--max-pixels", "0.1", img)
	if code != exitUsage || !strings.Contains(errOut, "above the limit of 0.1 (raise --max-pixels)") {
		t.Errorf("--max-pixels 0.1: exit %d: %s", code, errOut)
	}
	if code, _, errOut = capture(t, "describe", "--model", "toy", "--max-pixels", "0.2", img); code != exitOK {
		t.Errorf("--max-pixels 0.2: exit %d: %s", code, errOut)
	}
	if code, _, errOut = capture(t, "describe", "--model", "toy", "--max-pixels", "0", img); code != exitUsage || !strings.Contains(errOut, "--max-pixels 0:") {
		t.Errorf("--max-pixels 0: exit %d: %s", code, errOut)
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "big.png")
	if err := os.WriteFile(big, make([]byte, 3<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = capture(t, "batch", "--model", "toy", "--max-file-size", "2", "--out", filepath.Join(dir, "j.jsonl"), big)
	if code != exitSomeFailed || !strings.Contains(errOut, "file of 3.0 MiB, above the limit of 2.0 MiB (raise --max-file-size)") {
		t.Errorf("batch --max-file-size 2 on a 3 MiB file: exit %d: %s", code, errOut)
	}
}

// Each model command's help has examples and names its CAPGEN_*
// variables, and the examples that use the toy model and the scene in
// testdata run as shown.
func TestHelpExamples(t *testing.T) {
	for _, name := range []string{"describe", "regions", "dense", "batch", "bench"} {
		code, out, _ := capture(t, "help", name)
		if code != exitOK || !strings.Contains(out, "EXAMPLES:") || !strings.Contains(out, "CAPGEN_MODEL") || !strings.Contains(out, "CAPGEN_THREADS") {
			t.Errorf("help %s: exit %d, no examples or variables:\n%s", name, code, out)
		}
		for _, ex := range examples[name] {
			if !strings.Contains(ex, "--model toy") || !strings.HasSuffix(ex, "testdata/scene.png") {
				continue
			}
			args := strings.Fields(strings.TrimSuffix(ex, "testdata/scene.png"))[1:]
			if code, _, errOut := capture(t, append(args, "--threads", "1", scene(t))...); code != exitOK {
				t.Errorf("example %q: exit %d: %s", ex, code, errOut)
			}
		}
	}
}
