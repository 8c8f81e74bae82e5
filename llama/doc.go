// Package llama binds llama.cpp and its multimodal library mtmd for
// capgen. It is the only package of capgen that uses cgo; its exported
// API mentions no C types, and every result is copied into Go memory.
//
// # Types and concurrency
//
//   - Model: a loaded GGUF text model (weights, vocabulary, chat template).
//     Safe for concurrent use; load it once per process.
//   - Projector: an mmproj GGUF (vision encoder + projector) loaded for a
//     Model. Safe for concurrent use; image encodes are serialised.
//   - Context: a KV cache with up to ContextOptions.MaxSequences sequences.
//     Use a Context from one goroutine at a time; make one per goroutine.
//
// Close on each type is idempotent. A Model stays alive while Contexts or
// Projectors made from it are open, even after its own Close. Objects that
// are dropped without Close are freed by a GC cleanup, but closing
// explicitly returns memory (often gigabytes) at a predictable time.
// Every method that hands its receiver's C pointers to llama.cpp starts
// with `defer runtime.KeepAlive(receiver)`, so that cleanup can never run
// while C still uses them (the receiver's last Go use may come before the
// C call returns).
//
// # Evaluation
//
// Context.Append evaluates a Prompt (text with one MediaMarker per Image)
// at the end of a sequence: text is tokenised by mtmd, images are encoded by
// the projector and their embeddings decoded with the positions the model
// expects (M-RoPE 2-D positions for the Qwen2-VL family, non-causal
// attention over a whole image for Gemma 3), split by the batch size. The
// last prompt token is kept pending, so Context.Generate can decode the last
// token of many sequences in one batch: after one Append of the shared
// image prefix, Context.CopySequence forks it to more sequences (the KV
// cells are shared), each gets its own Append (a language, a question), and
// one Generate call decodes them all together, one llama_decode per step.
//
// Context.GenerateWith turns that into a continuous batch: its Refill
// callback receives each finished sequence and may free it
// (RemoveSequence) and start new ones in its place, and Poll lets work that
// arrives mid-generation join at the next step. Finished sequences release
// their samplers at once and DropCompletions keeps no texts, so one call
// can run for a whole batch job. Context.Used counts KV cells exactly:
// cells shared by copies of a prefix are counted once and freed with their
// last holder.
//
// # Cancellation
//
// Methods that decode take a context.Context. Cancellation is checked
// between decode steps, and during a decode ggml's abort callback stops the
// CPU backend between graph nodes; the method then returns an error
// wrapping ErrAborted and the context's error. Sequences touched by a
// failed call are emptied.
//
// An image encode (the vision encoder and projector) cannot be stopped: at
// the pinned llama.cpp, clip.cpp keeps its ggml backends and scheduler
// private and mtmd has no abort hook, so the callback that stops a decode
// never reaches it. Cancellation is checked right after each encode, so
// the wait is at most one encode of one image, whose size the caller
// bounds (caption.Options.MaxSide, ProjectorOptions.MaxImageTokens): about
// 4 s for SmolVLM-256M's 512 px encoder on two CPU cores, milliseconds on
// a GPU. Returning before the encode ends would free the chunk mtmd is
// still reading.
//
// # Errors
//
// Errors are *Error values naming the Go operation, wrapping one of the
// sentinels (ErrBadFile, ErrContextFull, ErrNoVision, ErrProjectorMismatch,
// ErrInvalidArgument, ErrBatchTooSmall, ErrAborted, ErrClosed); when
// llama.cpp logged an error during the operation, Error.Detail quotes it:
// the first error line logged on the calling thread during that call, so
// concurrent failures never quote each other.
// Inputs that would make llama.cpp abort the process (a batch larger than
// n_batch, an image larger than the physical batch of a non-causal
// projector, sequence ids out of range, a projector for another model) are
// checked in Go first.
//
// # Logs
//
// llama.cpp's logs are dropped unless SetLogger routes them to a
// log/slog Logger.
//
// # Building
//
// The package links ggml, llama and mtmd as static libraries built from the
// llama.cpp sources of the pinned Go module github.com/ollama/ollama (see
// third_party/README.md) by cmd/capgen-native: in a checkout `make`
// installs them into build/, which is searched first; a program that
// imports capgen runs `go run github.com/capgen/capgen/cmd/capgen-native
// -go-env` once (README, "Use as a library"). Without them the build stops
// at an #error in bridge.h that says so. Build tag cuda links the CUDA
// backend, metal the Metal one; CGO_ENABLED=0 fails with a message saying
// cgo is needed.
package llama
