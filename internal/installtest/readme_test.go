package installtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The README's "Use as a library" shows the program and the commands that
// TestExternalModule runs, so the documented path is the tested one.
func TestReadmeShowsTheTestedSteps(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Use as a library\n")
	if !ok {
		t.Fatal(`README.md has no "## Use as a library" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	program, err := os.ReadFile(filepath.Join("testdata", "captioner", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(section, "```go\n"+string(program)+"```\n") {
		t.Error("the README's program is not testdata/captioner/main.go as it is")
	}
	for _, c := range libraryCommands {
		cmd := strings.ReplaceAll(strings.Join(c, " "), "@"+testVersion, "@latest")
		if !strings.Contains(section, cmd) {
			t.Errorf("the README does not show %q", cmd)
		}
	}
}
