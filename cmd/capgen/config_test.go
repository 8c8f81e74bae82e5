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
	t.Setenv("CAPGEN_ON_MISMATCH", "keep") // random weights write no language

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

// The config file: a misspelt key is an error for every command, with the
// file, the line and the closest key; a YAML list works where a comma
// list does; a command's section reaches only that command.
func TestConfigFileKeys(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "nothing-here"))
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	typo := write("typo.yaml", "lang: de\nmodle: x.gguf\n")
	code, _, errOut := capture(t, "--config", typo, "describe", "--model", "toy", scene(t))
	if code != exitUsage || !strings.Contains(errOut, typo+`:2: unknown setting "modle"; did you mean "model"?`) {
		t.Errorf("describe with a misspelt key: exit %d: %s", code, errOut)
	}
	inSection := write("section-typo.yaml", "describe:\n  fromat: json\n")
	code, _, errOut = capture(t, "--config", inSection, "describe", "--model", "toy", scene(t))
	if code != exitUsage || !strings.Contains(errOut, inSection+`:2: unknown setting "fromat" in section describe; did you mean "format"?`) {
		t.Errorf("misspelt key in a section: exit %d: %s", code, errOut)
	}

	good := write("good.yaml", "lang: [de, ja]\ndescribe:\n  format: jsonl\nbench:\n  format: json\n")
	code, out, errOut := capture(t, "--config", good, "describe", "--model", "toy", "--threads", "1", scene(t))
	if code != exitOK {
		t.Fatalf("describe with lists and sections: exit %d: %s", code, errOut)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(out, `"de"`) || !strings.Contains(out, `"ja"`) {
		t.Errorf("want one JSON line (describe's section) with de and ja (the YAML list): %s", out)
	}
	// bench's own section: its format is json, not describe's jsonl.
	code, _, errOut = capture(t, "--config", good, "bench", "--model", "toy", "--images", "1", "--seqs", "1", "--kv-types", "f16",
		"--baselines", "none", "--gen-tokens", "2", "--max-tokens", "2", "--threads", "1")
	if code != exitOK {
		t.Errorf("bench with describe's format in describe's section: exit %d: %s", code, errOut)
	}
}
