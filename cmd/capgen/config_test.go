package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/capgen/capgen/internal/testmodels"
)

func TestConfigSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "capgen.yaml")
	os.WriteFile(file, []byte("lang: fr,de\nthreads: 3\nmax-side: 640\n"), 0o644)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "nothing-here"))
	t.Setenv("CAPGEN_THREADS", "1")

	code, out, errOut := capture(t, "--config", file, "config")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := map[string][]string{
		"lang":     {"fr,de", "file " + file},
		"threads":  {"1", "env CAPGEN_THREADS"},
		"max-side": {"640", "file"},
		"detail":   {"brief", "default"},
	}
	for key, w := range want {
		var line string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, key+" ") {
				line = l
			}
		}
		if !strings.Contains(line, w[0]) || !strings.Contains(line, w[1]) {
			t.Errorf("%s: line %q, want value %q from %q", key, line, w[0], w[1])
		}
	}

	os.WriteFile(file, []byte("lnag: fr\n"), 0o644)
	if code, _, errOut := capture(t, "--config", file, "config"); code != exitUsage || !strings.Contains(errOut, "lnag") {
		t.Errorf("typo in config: exit %d, %q", code, errOut)
	}
	if code, _, errOut := capture(t, "--config", filepath.Join(dir, "missing.yaml"), "config"); code != exitUsage || !strings.Contains(errOut, "missing.yaml") {
		t.Errorf("missing --config file: exit %d, %q", code, errOut)
	}
}

// The model pair and languages can come from the environment and a config
// file; a flag on the command line wins over both.
func TestConfigAppliesToDescribe(t *testing.T) {
	p := testmodels.Tiny(t, "tiny-llava")
	dir := t.TempDir()
	file := filepath.Join(dir, "capgen.yaml")
	os.WriteFile(file, []byte("mmproj: "+p.MMProj+"\nlang: fr\nmax-tokens: 3\nthreads: 1\n"), 0o644)
	t.Setenv("CAPGEN_MODEL", p.Model)
	t.Setenv("CAPGEN_LANG", "ja")

	code, out, errOut := capture(t, "--config", file, "describe", "--format", "json", scene(t))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"language": "ja"`) || strings.Contains(out, `"language": "fr"`) {
		t.Errorf("CAPGEN_LANG should beat the file: %s", out)
	}
	code, out, errOut = capture(t, "--config", file, "describe", "--lang", "de", "--format", "json", scene(t))
	if code != exitOK || !strings.Contains(out, `"language": "de"`) {
		t.Errorf("--lang should beat CAPGEN_LANG: exit %d %s %s", code, out, errOut)
	}
	os.WriteFile(file, []byte("threads: many\n"), 0o644)
	if code, _, errOut := capture(t, "--config", file, "describe", scene(t)); code != exitUsage || !strings.Contains(errOut, "threads") {
		t.Errorf("bad value in config: exit %d %q", code, errOut)
	}
}
