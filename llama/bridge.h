// C helpers for package llama: trampolines that forward llama.cpp callbacks
// to Go, and batch construction that is clearer in C than through cgo.
#ifndef CAPGEN_BRIDGE_H
#define CAPGEN_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>

// The headers come with the static libraries from cmd/capgen-native: in a
// checkout, `make` installs them into build/ (found through cgo.go's -I);
// an application that imports capgen installs them once into a prefix
// (/usr/local, or another one given to the compiler by CGO_CPPFLAGS). A
// missing or mismatched install stops here with what to do (followed by
// the compiler's one fatal error for the missing file), instead of a page
// of compiler and linker errors.
#if defined(__has_include) && !__has_include("capgen/capgen_native.h")
#error "capgen: llama.cpp's libraries for package llama are not installed. Build and install them once with: go run github.com/capgen/capgen/cmd/capgen-native -go-env (into ~/.local, flags recorded in go env; or -prefix /usr/local as root). Inside a capgen checkout: make. See the README, 'Use as a library'."
#else
#include "capgen/capgen_native.h"
#if CAPGEN_NATIVE_LAYOUT != 1 || !defined(CAPGEN_NATIVE_PIN_v0_17_4)
#error "capgen: the installed capgen/capgen_native.h is from another capgen version (this one needs llama.cpp from github.com/ollama/ollama v0.17.4): rebuild with go run github.com/capgen/capgen/cmd/capgen-native -go-env (or make in a checkout)"
#endif
#endif
#include "capgen/llama.h"
#include "capgen/mtmd.h"
#include "capgen/ggml-backend.h"
#include "capgen/ggml-cpu.h"

// Routes llama.cpp, ggml and mtmd logs to goLogCallback, with the
// logging thread's id.
void capgen_log_install(void);
uintptr_t capgen_thread_id(void);

// Progress callback for llama_model_params: forwards to goProgressCallback
// with the cgo.Handle stored in user_data.
bool capgen_progress(float progress, void * user_data);
void capgen_set_progress(struct llama_model_params * p, uintptr_t handle);

// Abort flag polled by ggml between graph nodes (CPU backend).
typedef struct { volatile int32_t flag; } capgen_abort;
bool capgen_abort_cb(void * data);
void capgen_abort_store(capgen_abort * a, int32_t v);
void capgen_set_abort(struct llama_context * ctx, capgen_abort * a);

// Decodes n_tokens image/audio embeddings (row-major, n_embd floats each)
// into sequence seq_id, n_batch tokens per llama_decode call. pos holds
// n_tokens*n_pos_per_embd positions, laid out one dimension after another
// as llama_batch expects for M-RoPE. Returns llama_decode's code.
int32_t capgen_decode_embd(struct llama_context * ctx, const float * embd, int32_t n_tokens,
                           int32_t n_embd, int32_t n_pos_per_embd, const int32_t * pos,
                           int32_t seq_id, int32_t n_batch);



// A plain C greedy generation loop over one sequence, the reference the
// benchmarks compare the Go path with: decodes the prompt, then n_gen
// tokens one llama_decode at a time. Returns the tokens generated or a
// negative llama_decode code.
int32_t capgen_reference_greedy(struct llama_context * ctx, const llama_token * prompt, int32_t n_prompt,
                                int32_t n_gen, int32_t seq_id);
#endif
