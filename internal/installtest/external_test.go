package installtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// testVersion is the version under which the working tree is served to
// the application module.
const testVersion = "v0.90.0"

// The steps of the README's "Use as a library", in order, after the
// program is written; readme_test.go checks the README shows them.
var libraryCommands = [][]string{
	{"go", "mod", "init", "example.com/captioner"},
	{"go", "get", "github.com/capgen/capgen@" + testVersion},
	{"go", "get", "."},
	{"go", "run", "github.com/capgen/capgen/cmd/capgen-native", "-go-env"},
	{"go", "build"},
}

// capgen as a dependency: the working tree as a module version in a file
// proxy, an application module outside the repository that requires it,
// the one documented extra command, go build, and the program captions
// testdata/scene.png with the embedded toy model in German and Japanese.
// Without the extra command, go build must fail saying what to run.
func TestExternalModule(t *testing.T) {
	root, tmp, src := cleanCopy(t, "src")
	proxy := filepath.Join(tmp, "proxy")
	serveModule(t, proxy, src, "github.com/capgen/capgen", testVersion)

	app := filepath.Join(tmp, "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	program, err := os.ReadFile(filepath.Join("testdata", "captioner", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "main.go"), program, 0o644); err != nil {
		t.Fatal(err)
	}
	env := freshEnv(t, tmp, "", proxy)
	step := func(args []string) (string, error) {
		t.Helper()
		return run(t, app, env, 60*time.Minute, args[0], args[1:]...)
	}
	for _, c := range libraryCommands[:3] {
		if _, err := step(c); err != nil {
			t.Fatalf("%s: %v", strings.Join(c, " "), err)
		}
	}

	// The extra command skipped: a message that says what to do, from
	// the compiler, not a linker's list of undefined symbols.
	out, err := step(libraryCommands[4])
	if err == nil {
		t.Fatal("go build succeeded before capgen-native installed the libraries: is an old install on the default paths?")
	}
	for _, want := range []string{"go run github.com/capgen/capgen/cmd/capgen-native", "Use as a library"} {
		if !strings.Contains(out, want) {
			t.Errorf("go build without the install step does not say %q:\n%s", want, tail(out, 3000))
		}
	}
	if strings.Contains(out, "undefined reference") || strings.Contains(out, "cannot find -l") {
		t.Errorf("go build without the install step fails in the linker:\n%s", tail(out, 3000))
	}

	if _, err := step(libraryCommands[3]); err != nil {
		t.Fatalf("capgen-native: %v", err)
	}
	if _, err := step(libraryCommands[4]); err != nil {
		t.Fatalf("go build after capgen-native: %v", err)
	}
	out, err = run(t, app, env, 10*time.Minute, filepath.Join(app, "captioner"), filepath.Join(root, "testdata", "scene.png"))
	if err != nil {
		t.Fatalf("captioner: %v\n%s", err, out)
	}
	want := "de: " + sceneCaption(t, "de") + "\nja: " + sceneCaption(t, "ja") + "\n"
	if out != want {
		t.Errorf("captioner printed\n%s\nwant\n%s", out, want)
	}
}

// serveModule writes the module in dir as version v into a GOPROXY
// folder layout (list, .info, .mod, .zip), zipped by golang.org/x/mod/zip
// as the Go command and the module proxy do.
func serveModule(t *testing.T, proxy, dir, path, v string) {
	t.Helper()
	at := filepath.Join(proxy, filepath.FromSlash(path), "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(at, v+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	if err := zip.CreateFromDir(f, module.Version{Path: path, Version: v}, dir); err != nil {
		t.Fatalf("module zip: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	goMod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": v, "Time": time.Now().UTC().Format(time.RFC3339)})
	for name, data := range map[string][]byte{v + ".mod": goMod, v + ".info": info, "list": []byte(v + "\n")} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
