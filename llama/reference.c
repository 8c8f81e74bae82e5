#include <stdlib.h>
#include "bridge.h"

int32_t capgen_reference_greedy(struct llama_context * ctx, const llama_token * prompt, int32_t n_prompt,
                                int32_t n_gen, int32_t seq_id) {
    const struct llama_vocab * vocab = llama_model_get_vocab(llama_get_model(ctx));
    int32_t n_batch = (int32_t) llama_n_batch(ctx);
    struct llama_batch b = llama_batch_init(n_batch, 0, 1);
    struct llama_sampler_chain_params sp = llama_sampler_chain_default_params();
    sp.no_perf = true;
    struct llama_sampler * smpl = llama_sampler_chain_init(sp);
    llama_sampler_chain_add(smpl, llama_sampler_init_greedy());

    int32_t pos = 0, ret = 0, produced = 0;
    for (int32_t off = 0; off < n_prompt; off += n_batch) {
        int32_t n = n_prompt - off < n_batch ? n_prompt - off : n_batch;
        b.n_tokens = n;
        for (int32_t i = 0; i < n; i++) {
            b.token[i] = prompt[off + i];
            b.pos[i] = pos++;
            b.n_seq_id[i] = 1;
            b.seq_id[i][0] = seq_id;
            b.logits[i] = (off + i == n_prompt - 1);
        }
        if ((ret = llama_decode(ctx, b)) != 0) {
            goto out;
        }
    }
    int32_t last = b.n_tokens - 1;
    for (; produced < n_gen; produced++) {
        llama_token t = llama_sampler_sample(smpl, ctx, last);
        // Keep going past end-of-generation: the loop measures steps.
        (void) vocab;
        b.n_tokens = 1;
        b.token[0] = t;
        b.pos[0] = pos++;
        b.n_seq_id[0] = 1;
        b.seq_id[0][0] = seq_id;
        b.logits[0] = 1;
        last = 0;
        if ((ret = llama_decode(ctx, b)) != 0) {
            goto out;
        }
    }
out:
    llama_sampler_free(smpl);
    llama_batch_free(b);
    return ret != 0 ? -ret : produced;
}
