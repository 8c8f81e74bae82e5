// C helpers for package llama: trampolines that forward llama.cpp callbacks
// to Go, and batch construction that is clearer in C than through cgo.
#ifndef CAPGEN_BRIDGE_H
#define CAPGEN_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>
#include "llama.h"
#include "mtmd.h"
#include "gguf.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"

// Routes llama.cpp, ggml and mtmd logs to goLogCallback.
void capgen_log_install(void);

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
