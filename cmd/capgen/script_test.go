package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/capgen/capgen/internal/testmodels"
	"github.com/capgen/capgen/llama"
)

// TestScripts runs the command-line scenarios in testdata/script against
// the real capgen command with a tiny random-weight model pair ($MODEL,
// $MMPROJ) and the scene image ($SCENE). The model's text is noise: the
// scripts check structure, files and exit status.
func TestScripts(t *testing.T) {
	p := testmodels.Tiny(t, "tiny-llava")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("MODEL", p.Model)
			env.Setenv("MMPROJ", p.MMProj)
			env.Setenv("SCENE", scene(t))
			env.Setenv("BACKEND", llama.Backend)
			env.Setenv("CAPGEN_THREADS", "1")
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/config")
			env.Setenv("CAPGEN_MODELS", env.WorkDir+"/models")
			return nil
		},
	})
}
