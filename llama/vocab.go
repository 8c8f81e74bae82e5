//go:build cgo

package llama

/*
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// Token is a vocabulary id.
type Token int32

// TokenizeOptions says how text becomes tokens. The zero value adds no
// BOS and treats special-token text as plain text.
type TokenizeOptions struct {
	// AddSpecial adds BOS/EOS as the model's vocabulary asks.
	AddSpecial bool
	// ParseSpecial turns the text of control tokens (e.g. "<|im_end|>")
	// into those tokens instead of tokenizing their characters.
	ParseSpecial bool
}

// Tokenize converts text to tokens with the model's tokenizer.
func (m *Model) Tokenize(text string, opt TokenizeOptions) ([]Token, error) {
	const op = "Model.Tokenize"
	if err := m.acquire(op); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	return m.tokenize(op, text, opt)
}

func (m *Model) tokenize(op, text string, opt TokenizeOptions) ([]Token, error) {
	defer runtime.KeepAlive(m)
	if len(text) > 1<<30 {
		return nil, opErr(op, ErrInvalidArgument, "text of %d bytes is too long", len(text))
	}
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	// A token covers at least one byte, plus room for BOS/EOS.
	capacity := len(text) + 8
	toks := make([]Token, capacity)
	n := C.llama_tokenize(m.vocab, ctext, C.int32_t(len(text)),
		(*C.llama_token)(unsafe.Pointer(&toks[0])), C.int32_t(capacity),
		C.bool(opt.AddSpecial), C.bool(opt.ParseSpecial))
	if n < 0 {
		// -n is the number of tokens needed; only reachable if the bound
		// above is wrong for some tokenizer.
		if n == C.INT32_MIN {
			return nil, opErr(op, ErrInvalidArgument, "tokenizer overflow")
		}
		capacity = int(-n)
		toks = make([]Token, capacity)
		n = C.llama_tokenize(m.vocab, ctext, C.int32_t(len(text)),
			(*C.llama_token)(unsafe.Pointer(&toks[0])), C.int32_t(capacity),
			C.bool(opt.AddSpecial), C.bool(opt.ParseSpecial))
		if n < 0 {
			return nil, opErr(op, ErrInvalidArgument, "tokenizer failed")
		}
	}
	return toks[:n], nil
}

// Piece returns the bytes a token stands for. Control tokens render as
// their text only when special is true. A piece may hold part of a UTF-8
// character: join pieces before converting to string.
func (m *Model) Piece(t Token, special bool) ([]byte, error) {
	const op = "Model.Piece"
	if err := m.acquire(op); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	if err := m.checkToken(op, t); err != nil {
		return nil, err
	}
	return m.piece(t, special), nil
}

func (m *Model) checkToken(op string, t Token) error {
	if t < 0 || int(t) >= m.meta.VocabSize {
		return opErr(op, ErrInvalidArgument, "token %d outside the vocabulary of %d", t, m.meta.VocabSize)
	}
	return nil
}

func (m *Model) piece(t Token, special bool) []byte {
	defer runtime.KeepAlive(m)
	var small [64]byte
	n := C.llama_token_to_piece(m.vocab, C.llama_token(t), (*C.char)(unsafe.Pointer(&small[0])), C.int32_t(len(small)), 0, C.bool(special))
	if n >= 0 {
		return append([]byte(nil), small[:n]...)
	}
	buf := make([]byte, int(-n))
	n = C.llama_token_to_piece(m.vocab, C.llama_token(t), (*C.char)(unsafe.Pointer(&buf[0])), C.int32_t(len(buf)), 0, C.bool(special))
	if n < 0 {
		return nil
	}
	return buf[:n]
}

// Detokenize converts tokens back to text. Control tokens are rendered
// only when special is true.
func (m *Model) Detokenize(toks []Token, special bool) (string, error) {
	const op = "Model.Detokenize"
	if err := m.acquire(op); err != nil {
		return "", err
	}
	defer m.mu.RUnlock()
	for _, t := range toks {
		if err := m.checkToken(op, t); err != nil {
			return "", err
		}
	}
	var out []byte
	for _, t := range toks {
		out = append(out, m.piece(t, special)...)
	}
	return string(out), nil
}

// TokenText is the vocabulary entry of a token as stored in the model
// (SentencePiece marks spaces with U+2581).
func (m *Model) TokenText(t Token) (string, error) {
	defer runtime.KeepAlive(m)
	const op = "Model.TokenText"
	if err := m.acquire(op); err != nil {
		return "", err
	}
	defer m.mu.RUnlock()
	if err := m.checkToken(op, t); err != nil {
		return "", err
	}
	return C.GoString(C.llama_vocab_get_text(m.vocab, C.llama_token(t))), nil
}

// IsEndOfGeneration reports whether t ends generation (EOS, EOT, ...).
func (m *Model) IsEndOfGeneration(t Token) bool {
	defer runtime.KeepAlive(m)
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed || t < 0 || int(t) >= m.meta.VocabSize {
		return false
	}
	return bool(C.llama_vocab_is_eog(m.vocab, C.llama_token(t)))
}

// IsControl reports whether t is a control token (not shown in text).
func (m *Model) IsControl(t Token) bool {
	defer runtime.KeepAlive(m)
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed || t < 0 || int(t) >= m.meta.VocabSize {
		return false
	}
	return bool(C.llama_vocab_is_control(m.vocab, C.llama_token(t)))
}

// String implements fmt.Stringer for logs.
func (m *Model) String() string {
	return fmt.Sprintf("llama.Model(%s, %s)", m.meta.Architecture, m.path)
}
