//go:build cgo

package llama

/*
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"context"
	"fmt"
	"runtime"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// ModelOptions configures LoadModel. A nil *ModelOptions means defaults.
type ModelOptions struct {
	// GPULayers is the number of layers to offload to the GPU: 0 offloads
	// all of them when a GPU backend is present (llama.cpp's default), a
	// negative value keeps everything on the CPU.
	GPULayers int
	// MainGPU is the index of the GPU for the whole model.
	MainGPU int
	// NoMmap reads the file into memory instead of mapping it.
	NoMmap bool
	// Progress, if set, is called with values from 0 to 1 while loading;
	// returning false cancels the load.
	Progress func(fraction float32) bool
}

// Model is a loaded text model (GGUF). A Model is safe for concurrent use
// by several goroutines: each creates its own Context.
type Model struct {
	// mu is held for reading while a method uses p, for writing by Close
	// and by the last release.
	mu      sync.RWMutex
	p       *C.struct_llama_model
	vocab   *C.struct_llama_vocab
	refs    int  // open Contexts and Projectors using p
	closed  bool // Close was called; p is freed when refs drops to 0
	path    string
	meta    Metadata
	gpu     bool // layers were offloaded to a GPU
	cleanup runtime.Cleanup
}

// Metadata describes a loaded model.
type Metadata struct {
	Path               string
	Name               string // general.name
	Architecture       string // general.architecture, e.g. "llama", "qwen2vl", "gemma3"
	Description        string // llama.cpp's one-line description (type, size, quantisation)
	EmbeddingSize      int    // n_embd
	InputEmbeddingSize int    // n_embd_inp: what a projector must produce
	Layers             int
	Heads              int
	HeadsKV            int
	TrainContext       int
	Parameters         uint64
	SizeBytes          uint64
	VocabSize          int
	ChatTemplate       string // empty when the model has none
	BOS, EOS, EOT      Token  // -1 when absent
	AddBOS             bool
	// KV holds every metadata key as llama.cpp renders it as a string
	// (arrays are summarised).
	KV map[string]string
}

//export goProgressCallback
func goProgressCallback(progress C.float, handle C.uintptr_t) C.bool {
	fn := cgo.Handle(handle).Value().(func(float32) bool)
	return C.bool(fn(float32(progress)))
}

// LoadModel loads a GGUF text model. ctx cancels the load between progress
// steps. Errors wrap ErrBadFile for missing or invalid files.
func LoadModel(ctx context.Context, path string, opt *ModelOptions) (*Model, error) {
	const op = "LoadModel"
	if opt == nil {
		opt = &ModelOptions{}
	}
	f, err := readGGUF(op, path)
	if err != nil {
		return nil, err
	}
	if f.Architecture() == "clip" {
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("this is an mmproj projector, not a text model: load it with LoadProjector (--mmproj): %w", ErrBadFile)}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: op, Path: path, Err: err}
	}
	initBackend()

	params := C.llama_model_default_params()
	switch {
	case opt.GPULayers < 0:
		params.n_gpu_layers = 0
	case opt.GPULayers > 0:
		params.n_gpu_layers = C.int32_t(opt.GPULayers)
	}
	params.main_gpu = C.int32_t(opt.MainGPU)
	params.use_mmap = C.bool(!opt.NoMmap)

	progress := func(f float32) bool {
		if ctx.Err() != nil {
			return false
		}
		if opt.Progress != nil {
			return opt.Progress(f)
		}
		return true
	}
	h := cgo.NewHandle(progress)
	defer h.Delete()
	C.capgen_set_progress(&params, C.uintptr_t(h))

	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var p *C.struct_llama_model
	detail := trapErrors(func() { p = C.llama_model_load_from_file(cpath, params) })
	if p == nil {
		if err := ctx.Err(); err != nil {
			return nil, &Error{Op: op, Path: path, Err: err}
		}
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("llama.cpp could not load the model: %w", ErrBadFile), Detail: detail}
	}
	m := &Model{p: p, vocab: C.llama_model_get_vocab(p), path: path, gpu: opt.GPULayers >= 0 && SupportsGPUOffload() && hasGPU()}
	m.meta = m.readMetadata()
	m.cleanup = runtime.AddCleanup(m, func(p *C.struct_llama_model) { C.llama_model_free(p) }, p)
	return m, nil
}

// Close releases the model. Contexts and Projectors made from it keep it
// alive until they are closed too; methods of the Model itself return
// ErrClosed from now on. Close is idempotent.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.freeLocked()
	return nil
}

func (m *Model) freeLocked() {
	defer runtime.KeepAlive(m)
	if m.p == nil || m.refs > 0 || !m.closed {
		return
	}
	m.cleanup.Stop()
	C.llama_model_free(m.p)
	m.p = nil
	m.vocab = nil
}

// retain records a user of p that outlives single method calls.
func (m *Model) retain(op string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || m.p == nil {
		return &Error{Op: op, Err: ErrClosed}
	}
	m.refs++
	return nil
}

func (m *Model) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refs--
	m.freeLocked()
}

// Metadata returns what the model file says about itself.
func (m *Model) Metadata() Metadata { return m.meta }

// OnGPU reports whether the model's layers run on a GPU: a GPU build, a
// GPU device present, and ModelOptions.GPULayers not negative.
func (m *Model) OnGPU() bool { return m.gpu }

// Path returns the file the model was loaded from.
func (m *Model) Path() string { return m.path }

// acquire locks the model for use; the caller must call m.mu.RUnlock.
func (m *Model) acquire(op string) error {
	m.mu.RLock()
	if m.closed || m.p == nil {
		m.mu.RUnlock()
		return &Error{Op: op, Err: ErrClosed}
	}
	return nil
}

func (m *Model) metaString(key string) string {
	defer runtime.KeepAlive(m)
	ckey := C.CString(key)
	defer C.free(unsafe.Pointer(ckey))
	n := C.llama_model_meta_val_str(m.p, ckey, nil, 0)
	if n < 0 {
		return ""
	}
	buf := make([]byte, int(n)+1)
	C.llama_model_meta_val_str(m.p, ckey, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	return string(buf[:n])
}

func (m *Model) readMetadata() Metadata {
	defer runtime.KeepAlive(m)
	md := Metadata{
		Path:               m.path,
		Name:               m.metaString("general.name"),
		Architecture:       m.metaString("general.architecture"),
		EmbeddingSize:      int(C.llama_model_n_embd(m.p)),
		InputEmbeddingSize: int(C.llama_model_n_embd_inp(m.p)),
		Layers:             int(C.llama_model_n_layer(m.p)),
		Heads:              int(C.llama_model_n_head(m.p)),
		HeadsKV:            int(C.llama_model_n_head_kv(m.p)),
		TrainContext:       int(C.llama_model_n_ctx_train(m.p)),
		Parameters:         uint64(C.llama_model_n_params(m.p)),
		SizeBytes:          uint64(C.llama_model_size(m.p)),
		VocabSize:          int(C.llama_vocab_n_tokens(m.vocab)),
		BOS:                Token(C.llama_vocab_bos(m.vocab)),
		EOS:                Token(C.llama_vocab_eos(m.vocab)),
		EOT:                Token(C.llama_vocab_eot(m.vocab)),
		AddBOS:             bool(C.llama_vocab_get_add_bos(m.vocab)),
		KV:                 map[string]string{},
	}
	var buf [256]byte
	n := C.llama_model_desc(m.p, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	if n > 0 {
		md.Description = string(buf[:min(int(n), len(buf)-1)])
	}
	if t := C.llama_model_chat_template(m.p, nil); t != nil {
		md.ChatTemplate = C.GoString(t)
	}
	count := int(C.llama_model_meta_count(m.p))
	for i := 0; i < count; i++ {
		k := metaByIndex(func(b *C.char, n C.size_t) C.int32_t {
			return C.llama_model_meta_key_by_index(m.p, C.int32_t(i), b, n)
		})
		v := metaByIndex(func(b *C.char, n C.size_t) C.int32_t {
			return C.llama_model_meta_val_str_by_index(m.p, C.int32_t(i), b, n)
		})
		md.KV[k] = v
	}
	return md
}

func metaByIndex(get func(*C.char, C.size_t) C.int32_t) string {
	n := get(nil, 0)
	if n < 0 {
		return ""
	}
	buf := make([]byte, int(n)+1)
	get((*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)))
	return string(buf[:n])
}
