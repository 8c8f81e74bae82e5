package capgen_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// rooms lists, for each library package, the capgen packages it may
// import (ARCHITECTURE.md explains why). Data flows one way: file bytes ->
// vision -> caption -> llama -> (text) -> sidecar; gguf is the file format
// under llama and models. Packages not listed here (commands, the toy
// model's tools, internal test helpers) may import any library package.
var rooms = map[string][]string{
	"":                    {},
	"gguf":                {},
	"vision":              {},
	"sidecar":             {},
	"llama":               {"gguf"},
	"caption":             {"llama", "vision"},
	"batch":               {"caption", "sidecar", "vision"},
	"models":              {"gguf"},
	"metric":              {},
	"server":              {"caption", "vision"},
	"internal/synth":      {"gguf"},
	"toy/scene":           {},
	"internal/testmodels": {"gguf", "internal/synth"},
}

// The import graph keeps the rooms' order: a package that reaches into a
// room above it (vision importing llama, llama importing caption, anything
// importing a command) fails here, not in a review.
func TestRoomsImportOnlyWhatTheyMay(t *testing.T) {
	const mod = "github.com/capgen/capgen"
	out, err := exec.Command("go", "list", "-e", "-json=ImportPath,Imports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	rel := func(path string) (string, bool) {
		if path == mod {
			return "", true
		}
		r, ok := strings.CutPrefix(path, mod+"/")
		return r, ok
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := map[string]bool{}
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name, _ := rel(p.ImportPath)
		seen[name] = true
		allowed, isRoom := rooms[name]
		for _, imp := range p.Imports {
			dep, ours := rel(imp)
			if !ours {
				continue
			}
			if strings.HasPrefix(dep, "cmd/") || dep == "internal/installtest" {
				t.Errorf("%s imports %s: nothing imports a command or a test package", p.ImportPath, imp)
			}
			if isRoom && !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s; it may import only %q (ARCHITECTURE.md)", p.ImportPath, imp, allowed)
			}
		}
	}
	for name := range rooms {
		if !seen[name] {
			t.Errorf("rooms names %q, which go list did not list: update the table", name)
		}
	}
}
