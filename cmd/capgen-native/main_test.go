package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFlagsRejectsBadSettings(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"-backend", "rocm"}, `-backend "rocm": use cpu, cuda or metal`},
		{[]string{"-backend", "cpu", "-cuda-arch", "86"}, "-cuda-arch needs -backend cuda"},
		{[]string{"-jobs", "0"}, "-jobs 0: use 1 to 1024"},
		{[]string{"install"}, `unexpected argument "install"`},
	}
	for _, c := range cases {
		_, err := parseFlags(c.args, &bytes.Buffer{})
		if assert.Error(t, err, c.args) {
			assert.Contains(t, err.Error(), c.msg)
		}
	}
	o, err := parseFlags([]string{"-prefix", "rel/dir", "-backend", "cuda", "-cuda-arch", "80;90"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(o.prefix), "prefix %s is made absolute", o.prefix)
	assert.Equal(t, []string{"capgen_mtmd", "capgen_llama", "capgen_ggml", "capgen_ggml_cuda", "capgen_ggml_cpu", "capgen_ggml_base"}, libraries(o.backend))
	assert.Contains(t, cmakeDefines(o, "/src", "v1.2.3"), "CMAKE_CUDA_ARCHITECTURES=80;90")
}

func TestDefaults(t *testing.T) {
	assert.Equal(t, "/home/u/.local", defaultPrefix("/home/u"))
	assert.Equal(t, "", defaultPrefix(""))
	assert.Equal(t, "metal", defaultBackend("darwin"))
	assert.Equal(t, "cpu", defaultBackend("linux"))
	assert.True(t, searchedByDefault("/usr/local"))
	assert.False(t, searchedByDefault("/home/u/.local"))
	assert.Equal(t, "v1.2.0-rc.1_x-cuda-portable", buildName("v1.2.0-rc.1+x", "cuda", true))
}

func TestMergeFlag(t *testing.T) {
	v, changed := mergeFlag("-O2 -g", "-L/p/lib")
	assert.Equal(t, "-O2 -g -L/p/lib", v)
	assert.True(t, changed)
	v, changed = mergeFlag("-O2 -g -L/p/lib", "-L/p/lib")
	assert.Equal(t, "-O2 -g -L/p/lib", v)
	assert.False(t, changed)
	v, _ = mergeFlag("", "-I/p/include")
	assert.Equal(t, "-I/p/include", v)
	assert.Equal(t, "-modcacherw -trimpath", withoutModFlag("-mod=mod -modcacherw -trimpath"))
}

func TestParseCMakeVersion(t *testing.T) {
	maj, min, ok := parseCMakeVersion("cmake version 3.25.1\n\nCMake suite maintained and supported by Kitware (kitware.com/cmake).\n")
	assert.True(t, ok)
	assert.Equal(t, [2]int{3, 25}, [2]int{maj, min})
	_, _, ok = parseCMakeVersion("something else")
	assert.False(t, ok)
}

func TestCacheValue(t *testing.T) {
	p := filepath.Join(t.TempDir(), "CMakeCache.txt")
	require.NoError(t, os.WriteFile(p, []byte("# comment\nCMAKE_HOME_DIRECTORY:INTERNAL=/src/capgen\nLLAMA_SOURCE_ROOT:PATH=/m/ollama@v0.17.4\n"), 0o644))
	v, ok := cacheValue(p, "CMAKE_HOME_DIRECTORY")
	assert.True(t, ok)
	assert.Equal(t, "/src/capgen", v)
	_, ok = cacheValue(p, "NOPE")
	assert.False(t, ok)
}

// The pin in go.mod, the identifier bridge.h checks and the libraries
// that link_*.go name must agree with what this command builds.
func TestPinAndLibrariesAgreeWithPackageLlama(t *testing.T) {
	root := filepath.Join("..", "..")
	pin, err := pinnedVersion(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	mod, err := moduleLine(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	assert.Equal(t, modulePath, mod)

	bridge, err := os.ReadFile(filepath.Join(root, "llama", "bridge.h"))
	require.NoError(t, err)
	id := "CAPGEN_NATIVE_PIN_" + regexp.MustCompile(`[^A-Za-z0-9_]`).ReplaceAllString(pin, "_")
	assert.Contains(t, string(bridge), "!defined("+id+")", "bridge.h must check the pin of go.mod (%s)", pin)
	assert.Contains(t, string(bridge), "github.com/ollama/ollama "+pin)

	lre := regexp.MustCompile(`-l(capgen_\w+)`)
	for _, backend := range []string{"cpu", "cuda", "metal"} {
		src, err := os.ReadFile(filepath.Join(root, "llama", "link_"+backend+".go"))
		require.NoError(t, err)
		var linked []string
		for _, m := range lre.FindAllStringSubmatch(string(src), -1) {
			linked = append(linked, m[1])
		}
		assert.Equal(t, libraries(backend), linked, "link_%s.go", backend)
		assert.Contains(t, string(src), "CAPGEN_NATIVE_BACKEND_"+strings.ToUpper(backend))
	}
	cmake, err := os.ReadFile(filepath.Join(root, "CMakeLists.txt"))
	require.NoError(t, err)
	for _, want := range []string{`string(REPLACE "-" "_" out "capgen_${lib}")`, "DESTINATION include/capgen"} {
		assert.Contains(t, string(cmake), want)
	}
	assert.True(t, slices.Contains(libraries("metal"), "capgen_ggml_metal"))
}

func TestPinnedVersionNamesAMissingPin(t *testing.T) {
	p := filepath.Join(t.TempDir(), "go.mod")
	require.NoError(t, os.WriteFile(p, []byte("module x\n\ngo 1.26\n"), 0o644))
	_, err := pinnedVersion(p)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "requires no github.com/ollama/ollama")
	require.NoError(t, os.WriteFile(p, []byte("module x\n\nrequire github.com/ollama/ollama v0.18.0\n"), 0o644))
	v, err := pinnedVersion(p)
	require.NoError(t, err)
	assert.Equal(t, "v0.18.0", v)
}

func TestMissingToolsAreNamedWithTheirPackages(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := findTools("cpu")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cmake not found")
	assert.Contains(t, err.Error(), "apt-get install -y cmake ninja-build g++ ccache")
}
