//go:build capgen_pin

// Package thirdparty pins the Go module that carries llama.cpp and ggml
// sources. The build tag keeps it out of every build; only go.mod/go.sum
// see the import. See README.md in this folder.
package thirdparty

import _ "github.com/ollama/ollama/llama"
