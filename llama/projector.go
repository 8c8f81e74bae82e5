//go:build cgo

package llama

/*
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/capgen/capgen/gguf"
)

// ProjectorOptions configures LoadProjector. A nil *ProjectorOptions means
// defaults.
type ProjectorOptions struct {
	// CPUOnly keeps the vision encoder on the CPU even with a GPU backend.
	CPUOnly bool
	// Threads for the vision encoder; 0 means DefaultThreads(); more than
	// MaxThreads() means MaxThreads().
	Threads int
	// NoWarmup skips the trial encode mtmd runs at load time (it sizes
	// compute buffers early, so out-of-memory shows at load, not later).
	NoWarmup bool
	// MinImageTokens and MaxImageTokens bound the tokens per image for
	// dynamic-resolution projectors (Qwen2.5-VL, ...); 0 keeps the file's.
	MinImageTokens, MaxImageTokens int
}

// Projector is a multimodal projector (an "mmproj" GGUF) loaded against a
// Model. A Projector may be shared by several Contexts and goroutines:
// image encodes are serialised by an internal lock.
type Projector struct {
	mu      sync.Mutex
	p       *C.mtmd_context
	model   *Model
	path    string
	info    ProjectorInfo
	cleanup runtime.Cleanup
}

// ProjectorInfo describes a loaded projector.
type ProjectorInfo struct {
	Path string
	// Type is clip.projector_type, e.g. "mlp", "idefics3",
	// "qwen2.5vl_merger", "gemma3".
	Type string
	// OutputSize is the embedding size the projector produces; it equals
	// the model's Metadata.InputEmbeddingSize.
	OutputSize int
	// ImageSize is clip.vision.image_size (the encoder's input side).
	ImageSize int
	// PatchSize is clip.vision.patch_size.
	PatchSize int
	Vision    bool // has a vision encoder
	Audio     bool // has an audio encoder
	// MRoPE: image tokens take 2-D positions (Qwen2-VL family).
	MRoPE bool
	// NonCausal: an image is decoded with non-causal attention in one
	// batch (Gemma 3), so a Context's batch must hold a whole image.
	NonCausal bool
}

// projectorHeader is what LoadProjector checks before mtmd sees the file,
// read by package gguf with its table of projector types.
type projectorHeader struct {
	projType         string
	outputSize       int
	mrope            bool
	imageSize, patch int
	hasVision        bool
}

func readProjectorHeader(op, path string) (projectorHeader, error) {
	var h projectorHeader
	f, err := readGGUF(op, path)
	if err != nil {
		return h, err
	}
	if arch := f.Architecture(); arch != "clip" {
		return h, &Error{Op: op, Path: path, Err: fmt.Errorf("general.architecture is %q, not \"clip\": this is a text model, not an mmproj projector: %w", arch, ErrBadFile)}
	}
	h.projType = f.ProjectorType()
	p, ok := gguf.LookupProjector(h.projType)
	if !ok {
		return h, &Error{Op: op, Path: path, Err: fmt.Errorf("projector type %q is unknown to the llama.cpp capgen links: %w", h.projType, ErrBadFile)}
	}
	if h.outputSize, err = f.ProjectorEmbeddingLength(); err != nil {
		return h, &Error{Op: op, Path: path, Err: fmt.Errorf("%v: %w", err, ErrBadFile)}
	}
	h.mrope = p.MRoPE
	image, _ := f.Uint("clip.vision.image_size")
	patch, _ := f.Uint("clip.vision.patch_size")
	h.imageSize, h.patch = int(image), int(patch)
	vision, _ := f.Bool("clip.has_vision_encoder")
	width, _ := f.Uint("clip.vision.embedding_length")
	h.hasVision = vision || width > 0
	return h, nil
}

// LoadProjector loads an mmproj GGUF for model. It checks the file and
// that its output embedding size matches the model before mtmd reads it,
// so a wrong pairing gives ErrProjectorMismatch rather than a failure deep
// in C.
func LoadProjector(model *Model, path string, opt *ProjectorOptions) (*Projector, error) {
	const op = "LoadProjector"
	if opt == nil {
		opt = &ProjectorOptions{}
	}
	h, err := readProjectorHeader(op, path)
	if err != nil {
		return nil, err
	}
	if err := model.retain(op); err != nil {
		return nil, err
	}
	want := model.meta.InputEmbeddingSize
	if h.outputSize != want {
		model.release()
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf(
			"projector (%s) produces %d-wide embeddings but %s expects %d: use the mmproj file released with this model: %w",
			h.projType, h.outputSize, model.meta.Architecture, want, ErrProjectorMismatch)}
	}
	rope := C.llama_model_rope_type(model.p)
	modelMRoPE := rope == C.LLAMA_ROPE_TYPE_MROPE || rope == C.LLAMA_ROPE_TYPE_IMROPE
	if h.mrope != modelMRoPE {
		model.release()
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf(
			"projector (%s) and model (%s) disagree on M-RoPE image positions: use the mmproj file released with this model: %w",
			h.projType, model.meta.Architecture, ErrProjectorMismatch)}
	}
	if !h.hasVision {
		model.release()
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("projector has no vision encoder: %w", ErrNoVision)}
	}

	params := C.mtmd_context_params_default()
	params.use_gpu = C.bool(!opt.CPUOnly)
	params.print_timings = false
	params.n_threads = C.int(min(opt.Threads, MaxThreads()))
	if opt.Threads <= 0 {
		params.n_threads = C.int(DefaultThreads())
	}
	params.warmup = C.bool(!opt.NoWarmup)
	if opt.MinImageTokens > 0 {
		params.image_min_tokens = C.int(opt.MinImageTokens)
	}
	if opt.MaxImageTokens > 0 {
		params.image_max_tokens = C.int(opt.MaxImageTokens)
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var p *C.mtmd_context
	detail := trapErrors(func() { p = C.mtmd_init_from_file(cpath, model.p, params) })
	if p == nil {
		model.release()
		sentinel := ErrBadFile
		if strings.Contains(detail, "mismatch") {
			sentinel = ErrProjectorMismatch
		}
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("mtmd could not load the projector: %w", sentinel), Detail: detail}
	}
	pr := &Projector{p: p, model: model, path: path}
	pr.info = ProjectorInfo{
		Path:       path,
		Type:       h.projType,
		OutputSize: want,
		ImageSize:  h.imageSize,
		PatchSize:  h.patch,
		Vision:     bool(C.mtmd_support_vision(p)),
		Audio:      bool(C.mtmd_support_audio(p)),
		MRoPE:      bool(C.mtmd_decode_use_mrope(p)),
		NonCausal:  bool(C.mtmd_decode_use_non_causal(p)),
	}
	pr.cleanup = runtime.AddCleanup(pr, func(r projectorRes) {
		C.mtmd_free(r.p)
		r.model.release()
	}, projectorRes{p, model})
	return pr, nil
}

type projectorRes struct {
	p     *C.mtmd_context
	model *Model
}

// Info describes the projector.
func (pr *Projector) Info() ProjectorInfo { return pr.info }

// Close frees the projector; close the Contexts using it first. Close is
// idempotent.
func (pr *Projector) Close() error {
	defer runtime.KeepAlive(pr)
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.p == nil {
		return nil
	}
	pr.cleanup.Stop()
	C.mtmd_free(pr.p)
	pr.p = nil
	pr.model.release()
	return nil
}

// MediaMarker is the text that stands for one image in a prompt.
func MediaMarker() string { return C.GoString(C.mtmd_default_marker()) }

// ImageTokens returns how many tokens, and how many positions, an image of
// width x height takes in the prompt after the projector's own resizing
// and slicing (markers around tiles included as text tokens).
func (pr *Projector) ImageTokens(width, height int) (tokens, positions int, err error) {
	defer runtime.KeepAlive(pr)
	const op = "Projector.ImageTokens"
	img := Image{Width: width, Height: height, RGB: make([]byte, width*height*3)}
	if err := img.validate(op); err != nil {
		return 0, 0, err
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.p == nil {
		return 0, 0, &Error{Op: op, Err: ErrClosed}
	}
	chunks, err := pr.tokenizeLocked(op, MediaMarker(), []Image{img}, false, true)
	if err != nil {
		return 0, 0, err
	}
	defer freeChunks(chunks)
	n := int(C.mtmd_input_chunks_size(chunks))
	for i := 0; i < n; i++ {
		ch := C.mtmd_input_chunks_get(chunks, C.size_t(i))
		tokens += int(C.mtmd_input_chunk_get_n_tokens(ch))
		positions += int(C.mtmd_input_chunk_get_n_pos(ch))
	}
	return tokens, positions, nil
}

// tokenizeLocked splits text with media markers into mtmd chunks; the
// caller holds pr.mu and frees the chunks.
func (pr *Projector) tokenizeLocked(op, text string, images []Image, addSpecial, parseSpecial bool) (*C.mtmd_input_chunks, error) {
	defer runtime.KeepAlive(pr)
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	input := C.mtmd_input_text{text: ctext, add_special: C.bool(addSpecial), parse_special: C.bool(parseSpecial)}
	var bitmaps **C.mtmd_bitmap
	if len(images) > 0 {
		bitmaps = (**C.mtmd_bitmap)(C.malloc(C.size_t(len(images)) * C.size_t(unsafe.Sizeof(uintptr(0)))))
		defer C.free(unsafe.Pointer(bitmaps))
		view := unsafe.Slice(bitmaps, len(images))
		for i, img := range images {
			// mtmd copies the pixels into the bitmap.
			view[i] = newBitmap(img.Width, img.Height, (*C.uchar)(unsafe.Pointer(&img.RGB[0])))
			if img.ID != "" {
				cid := C.CString(img.ID)
				C.mtmd_bitmap_set_id(view[i], cid)
				C.free(unsafe.Pointer(cid))
			}
		}
		defer func() {
			for i := range view {
				freeBitmap(view[i])
			}
		}()
	}
	chunks := newChunks()
	var ret C.int32_t
	detail := trapErrors(func() {
		ret = C.mtmd_tokenize(pr.p, chunks, &input, (**C.mtmd_bitmap)(unsafe.Pointer(bitmaps)), C.size_t(len(images)))
	})
	if ret != 0 {
		freeChunks(chunks)
		what := "image preprocessing failed"
		if ret == 1 {
			what = "the number of media markers does not match the number of images"
		}
		return nil, &Error{Op: op, Err: fmt.Errorf("%s: %w", what, ErrInvalidArgument), Detail: detail}
	}
	return chunks, nil
}
