// Package synth writes llama.cpp-loadable vision-language model pairs, a
// text model GGUF and an mmproj projector GGUF, with random weights and the
// exact tensor names, shapes and metadata of real model families.
//
// Random-weight models cannot caption anything, but they load, tokenize,
// encode images and decode exactly like the real models of their family,
// at the real models' cost when the shapes are real. The project uses them
// where real weights cannot be downloaded: tiny pairs for unit tests of
// the llama.cpp binding and the captioning engine, and full-size pairs for
// benchmarks.
//
// # Families
//
// Text models (TextConfig.Arch): ArchLlama (LLaVA's and SmolVLM's
// decoders), ArchQwen2VL (Qwen2.5-VL, M-RoPE) and ArchGemma3. Projectors
// (VisionConfig.Projector): ProjectorMLP (LLaVA-1.5), ProjectorIdefics3
// (SmolVLM), ProjectorQwen25VL and ProjectorGemma3. Tensor names, shapes
// and metadata keys follow llama.cpp commit ec98e2002 as vendored by
// ollama v0.17.4: src/llama-model.cpp for text models, tools/mtmd/clip.cpp
// for projectors.
//
// Each family has a SentencePiece-style vocabulary (ChatMLVocab,
// SmolVLMVocab, Qwen25VLVocab, Gemma3Vocab) with the 256 byte tokens
// <0x00>..<0xFF>, so any UTF-8 text tokenizes through byte fallback and
// detokenizes back unchanged; the chat-turn tokens of its template; and
// the image marker tokens mtmd inserts around image embeddings for that
// projector, each a single token. Padding pieces fill the vocabulary up to
// the real model's size so that embedding and output matrices have their
// real cost.
//
// # Output embedding size
//
// mtmd accepts a pair only if the projector's output size equals the text
// model's input embedding size (llama_model_n_embd_inp). The text side is
// <arch>.embedding_length. The projector side is read from a tensor
// (VisionConfig.OutputEmbeddingTensor, gguf.File.ProjectorEmbeddingLength):
//
//	mlp               mm.2.weight                 dimension 1
//	idefics3          mm.model.fc.weight          dimension 1
//	qwen2.5vl_merger  mm.2.bias                   dimension 0
//	gemma3            mm.input_projection.weight  dimension 0
//
// (dimensions in ggml order). clip.vision.projection_dim is written equal
// to it, but llama.cpp does not compare that key.
//
// # Presets
//
// TinyLLaVA, TinySmolVLM, TinyQwen25VL and TinyGemma3 are under 2 MB per
// pair; SmolVLM256M, Qwen25VL3B and Gemma3_4B have the real models' shapes.
// Write them with Write, or with the command in cmd/synth.
//
// # Real weights
//
// WriteOptions.Weights supplies values for tensors by name, and
// TextConfig.Vocab can be any Vocab, so a model trained elsewhere (a toy
// model trained in PyTorch, say) can be exported through the same writer
// with the same metadata.
package synth
