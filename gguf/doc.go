// Package gguf reads and writes GGUF files, the model format of llama.cpp
// and ggml, in pure Go.
//
// A GGUF v3 file is a header (magic "GGUF", version, tensor and key
// counts), a list of typed metadata key-value pairs, a table of tensor infos
// (name, shape, element type, offset), padding to the alignment, and the
// tensor data, each tensor starting on an alignment boundary
// (general.alignment, 32 by default). All numbers are little-endian.
//
// # Writing
//
// A Writer collects metadata (Set) and tensors (AddTensor) and writes the
// file in one pass (WriteTo, WriteFile). Tensor data is pulled from its
// source only while it is written, row by row, so a multi-gigabyte model
// can be generated without holding it in memory: a source is a RowFunc
// that fills one row of float32 values at a time (Rows), a slice of all
// values (Values), or bytes already encoded (Raw). Rows are converted to
// the tensor's type as they are written; F32, F16, BF16, Q8_0 and Q4_0 can
// be encoded, bit-compatible with ggml's reference conversions. Layout
// gives the offsets and file size without touching any data, and
// WriteLayoutFile writes a sparse file of the right layout for tests.
//
// Shapes are in ggml order: Shape[0] is the innermost dimension (the
// number of columns of a matrix). A linear layer from in to out features
// is [in, out], which is also the memory order of a PyTorch weight of
// shape [out, in], so weights exported from PyTorch need no transposing.
//
// # Reading
//
// ReadMetadata reads everything but the tensor data, checking the file as
// ggml would, and every count and length against the file's size: package
// llama reads each file with it before llama.cpp opens it.
// File.ProjectorEmbeddingLength and File.TextEmbeddingLength give the two
// sizes mtmd compares before it accepts a text model and an mmproj
// projector as a pair; LookupProjector is capgen's one table of projector
// types (output tensor, M-RoPE), which a test compares with the source of
// clip.cpp at the pinned llama.cpp commit.
//
// Writers and Files are not safe for concurrent use; distinct values may be
// used from different goroutines.
package gguf
