//go:build !cgo

package llama

// Package llama binds llama.cpp through cgo. Built with CGO_ENABLED=0 it has
// no implementation; this undefined name makes the build fail with a message
// that says what to do instead of a list of missing symbols.
var _ = capgen_package_llama_needs_cgo__build_with_CGO_ENABLED_1_and_a_C_compiler_then_run_make
