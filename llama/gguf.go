package llama

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/capgen/capgen/gguf"
)

// readGGUF reads the metadata of the GGUF file at path with the Go reader
// of package gguf before any C code opens it. That reader checks every
// count, string and array length, tensor shape and offset against the
// file's size, so no file can make ggml allocate or read without bound
// (ggml's own reader aborts the process on some of them, such as a string
// length of 2^62). The first bytes get messages of their own: a missing
// file, a folder, a file of another format.
func readGGUF(op, path string) (*gguf.File, error) {
	// Stat before Open: opening a named pipe would wait for a writer.
	st, err := os.Stat(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("file does not exist: %w", ErrBadFile)}
		}
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("%v: %w", err, ErrBadFile)}
	}
	if !st.Mode().IsRegular() {
		what := "not a regular file"
		if st.IsDir() {
			what = "is a directory"
		}
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("%s, not a .gguf file: %w", what, ErrBadFile)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("%v: %w", err, ErrBadFile)}
	}
	defer f.Close()
	if err := checkHeader(op, path, f, st.Size()); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("%v: %w", err, ErrBadFile)}
	}
	g, err := gguf.Read(f, st.Size())
	if err != nil {
		return nil, &Error{Op: op, Path: path, Err: fmt.Errorf("%v: %w", err, ErrBadFile)}
	}
	return g, nil
}

// checkHeader gives the common ways a file is not GGUF a message that says
// what to do.
func checkHeader(op, path string, f io.Reader, size int64) error {
	var hdr [24]byte // magic, version, tensor count, KV count
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return &Error{Op: op, Path: path, Err: fmt.Errorf("too short to be GGUF (%d bytes): %w", size, ErrBadFile)}
	}
	if string(hdr[:4]) != "GGUF" {
		return &Error{Op: op, Path: path, Err: fmt.Errorf("not a GGUF file (starts with %q; convert it with llama.cpp's convert_hf_to_gguf.py): %w", hdr[:4], ErrBadFile)}
	}
	if v := binary.LittleEndian.Uint32(hdr[4:8]); v < 2 || v > 3 {
		return &Error{Op: op, Path: path, Err: fmt.Errorf("GGUF version %d is not supported (want 2 or 3): %w", v, ErrBadFile)}
	}
	return nil
}
