// Package models knows the vision-LLM GGUF pairs capgen has been pointed
// at (Registry), downloads them into a cache with resume and checksum
// verification (Pull), and finds pulled pairs by name (Resolve). Its
// sub-packages make random-weight models of real shapes (synth) and hold
// the toy model's tooling (toy); the GGUF format itself is package gguf.
//
// Registry entries record where a pair is published (a Hugging Face
// repository and file names), the licence, the languages the model claims,
// and, where a public listing gave them, sizes and SHA-256 checksums. A
// checksum, when known, is verified after download; otherwise the file's
// SHA-256 is computed and stored next to it (NAME.sha256) so that a later
// `capgen models pull` detects corruption.
//
// Downloads go to a .part file next to the target and continue with an
// HTTP Range request after an interruption; the finished file is renamed
// into place only after its GGUF header (package gguf's checks) and its
// checksum check out. Functions are safe for concurrent use on different
// files.
package models
