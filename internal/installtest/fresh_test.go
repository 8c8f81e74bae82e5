package installtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The README's first two commands on a fresh machine: a clean copy of the
// tree, empty module and build caches, modules only from a file proxy.
// `make demo` must download the module that carries llama.cpp itself (it
// once read its folder with `go list -m`, which names none for a module
// not yet in the cache), and nothing may need a go.sum entry that is not
// committed.
func TestFreshCloneMakeDemoAndTest(t *testing.T) {
	_, tmp, clone := cleanCopy(t, "capgen")
	goMod, _ := os.ReadFile(filepath.Join(clone, "go.mod"))
	goSum, _ := os.ReadFile(filepath.Join(clone, "go.sum"))
	env := freshEnv(t, tmp, "-mod=mod")

	out, err := run(t, clone, env, 60*time.Minute, "make", "demo", "JOBS="+jobs())
	if err != nil {
		t.Fatalf("make demo on an empty module cache: %v", err)
	}
	for _, lang := range []string{"en", "de", "ja"} {
		want := lang + ": " + sceneCaption(t, lang)
		if !strings.Contains(out, want+"\n") {
			t.Errorf("make demo did not print %q; output ends:\n%s", want, tail(out, 1500))
		}
	}

	if _, err := run(t, clone, env, 60*time.Minute, "make", "test", "JOBS="+jobs()); err != nil {
		t.Fatalf("make test after make demo on an empty module cache: %v", err)
	}

	goMod2, _ := os.ReadFile(filepath.Join(clone, "go.mod"))
	goSum2, _ := os.ReadFile(filepath.Join(clone, "go.sum"))
	if !bytes.Equal(goMod, goMod2) || !bytes.Equal(goSum, goSum2) {
		t.Errorf("the build changed go.mod or go.sum: a requirement or checksum is missing from the commit")
	}
}
