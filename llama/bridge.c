#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "bridge.h"
#include "_cgo_export.h"

uintptr_t capgen_thread_id(void) {
    return (uintptr_t) pthread_self();
}

static void capgen_log(enum ggml_log_level level, const char * text, void * user_data) {
    (void) user_data;
    goLogCallback((int) level, (char *) text, capgen_thread_id());
}

void capgen_log_install(void) {
    llama_log_set(capgen_log, NULL);
    mtmd_log_set(capgen_log, NULL);
}

bool capgen_progress(float progress, void * user_data) {
    return goProgressCallback(progress, (uintptr_t) user_data);
}

void capgen_set_progress(struct llama_model_params * p, uintptr_t handle) {
    p->progress_callback = capgen_progress;
    p->progress_callback_user_data = (void *) handle;
}

bool capgen_abort_cb(void * data) {
    return __atomic_load_n(&((capgen_abort *) data)->flag, __ATOMIC_RELAXED) != 0;
}

void capgen_abort_store(capgen_abort * a, int32_t v) {
    __atomic_store_n(&a->flag, v, __ATOMIC_RELAXED);
}

void capgen_set_abort(struct llama_context * ctx, capgen_abort * a) {
    llama_set_abort_callback(ctx, capgen_abort_cb, a);
}

int32_t capgen_decode_embd(struct llama_context * ctx, const float * embd, int32_t n_tokens,
                           int32_t n_embd, int32_t n_pos_per_embd, const int32_t * pos,
                           int32_t seq_id, int32_t n_batch) {
    if (n_tokens <= 0 || n_batch <= 0 || n_pos_per_embd <= 0) {
        return -1;
    }
    int32_t cap = n_tokens < n_batch ? n_tokens : n_batch;
    llama_pos * view_pos = malloc(sizeof(llama_pos) * (size_t) cap * (size_t) n_pos_per_embd);
    int32_t * n_seq = malloc(sizeof(int32_t) * (size_t) cap);
    llama_seq_id ** seq_ptrs = malloc(sizeof(llama_seq_id *) * ((size_t) cap + 1));
    int8_t * logits = malloc((size_t) cap);
    if (!view_pos || !n_seq || !seq_ptrs || !logits) {
        free(view_pos); free(n_seq); free(seq_ptrs); free(logits);
        return -3;
    }
    llama_seq_id seq = seq_id;
    for (int32_t i = 0; i < cap; i++) {
        n_seq[i] = 1;
        seq_ptrs[i] = &seq;
        logits[i] = 0;
    }
    seq_ptrs[cap] = NULL;

    int32_t ret = 0;
    for (int32_t off = 0; off < n_tokens; off += n_batch) {
        int32_t n = n_tokens - off < n_batch ? n_tokens - off : n_batch;
        // Each position dimension is contiguous over all n_tokens; a view
        // takes the same slice [off, off+n) of every dimension.
        for (int32_t d = 0; d < n_pos_per_embd; d++) {
            memcpy(view_pos + (size_t) d * n, pos + (size_t) d * n_tokens + off, sizeof(llama_pos) * (size_t) n);
        }
        struct llama_batch b = {
            .n_tokens = n,
            .token = NULL,
            .embd = (float *) embd + (size_t) off * (size_t) n_embd,
            .pos = view_pos,
            .n_seq_id = n_seq,
            .seq_id = seq_ptrs,
            .logits = logits,
        };
        ret = llama_decode(ctx, b);
        if (ret != 0) {
            break;
        }
    }
    free(view_pos); free(n_seq); free(seq_ptrs); free(logits);
    return ret;
}

