package llama

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// checkGGUF fails with a clear error when path is not a readable GGUF file,
// before llama.cpp sees it: its own messages go to the log, not the caller.
func checkGGUF(op, path string) error {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return &Error{Op: op, Path: path, Err: fmt.Errorf("file does not exist: %w", ErrBadFile)}
		}
		return &Error{Op: op, Path: path, Err: fmt.Errorf("%v: %w", err, ErrBadFile)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return &Error{Op: op, Path: path, Err: fmt.Errorf("%v: %w", err, ErrBadFile)}
	}
	if st.IsDir() {
		return &Error{Op: op, Path: path, Err: fmt.Errorf("is a directory, not a .gguf file: %w", ErrBadFile)}
	}
	var hdr [24]byte // magic, version, tensor count, KV count
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return &Error{Op: op, Path: path, Err: fmt.Errorf("too short to be GGUF (%d bytes): %w", st.Size(), ErrBadFile)}
	}
	if string(hdr[:4]) != "GGUF" {
		return &Error{Op: op, Path: path, Err: fmt.Errorf("not a GGUF file (starts with %q; convert it with llama.cpp's convert_hf_to_gguf.py): %w", hdr[:4], ErrBadFile)}
	}
	if v := binary.LittleEndian.Uint32(hdr[4:8]); v < 2 || v > 3 {
		return &Error{Op: op, Path: path, Err: fmt.Errorf("GGUF version %d is not supported (want 2 or 3): %w", v, ErrBadFile)}
	}
	return nil
}
