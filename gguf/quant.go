package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Block layouts of the quantised types written here, as ggml defines them
// (ggml-common.h): Q8_0 is a float16 scale d then 32 int8 q, value = d*q;
// Q4_0 is a float16 scale d then 16 bytes holding 32 4-bit q, value =
// d*(q-8), element j of the block in the low nibble of byte j and element
// j+16 in the high nibble.
const (
	qk         = 32
	q8_0Bytes  = 2 + qk
	q4_0Bytes  = 2 + qk/2
	maxInt8Abs = 127
)

// EncodeRow appends the encoding of src as type t to dst and returns the
// extended slice. len(src) must be a multiple of t.BlockSize().
func EncodeRow(dst []byte, t TensorType, src []float32) ([]byte, error) {
	if !t.Encodable() {
		return dst, fmt.Errorf("gguf: cannot encode tensor type %v", t)
	}
	if bs := t.BlockSize(); len(src)%bs != 0 {
		return dst, fmt.Errorf("gguf: row of %d values is not a multiple of the %v block size %d", len(src), t, bs)
	}
	n := len(dst)
	dst = grow(dst, t.RowSize(len(src)))
	encodeRow(dst[n:], t, src)
	return dst, nil
}

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// encodeRow encodes src into out, which has exactly t.RowSize(len(src))
// bytes; the caller has checked the type and length.
func encodeRow(out []byte, t TensorType, src []float32) {
	le := binary.LittleEndian
	switch t {
	case F32:
		for i, v := range src {
			le.PutUint32(out[4*i:], math.Float32bits(v))
		}
	case F16:
		for i, v := range src {
			le.PutUint16(out[2*i:], Float16(v))
		}
	case BF16:
		for i, v := range src {
			le.PutUint16(out[2*i:], BFloat16(v))
		}
	case Q8_0:
		for b := 0; b*qk < len(src); b++ {
			quantizeQ8_0(out[b*q8_0Bytes:(b+1)*q8_0Bytes], src[b*qk:(b+1)*qk])
		}
	case Q4_0:
		for b := 0; b*qk < len(src); b++ {
			quantizeQ4_0(out[b*q4_0Bytes:(b+1)*q4_0Bytes], src[b*qk:(b+1)*qk])
		}
	}
}

// quantizeQ8_0 encodes one block of 32 values: the scale maps the largest
// magnitude to ±127 so no value clips.
func quantizeQ8_0(out []byte, x []float32) {
	var amax float32
	for _, v := range x {
		amax = max(amax, abs32(v))
	}
	d := amax / maxInt8Abs
	var id float32
	if d != 0 {
		id = 1 / d
	}
	binary.LittleEndian.PutUint16(out, Float16(d))
	for j, v := range x {
		out[2+j] = byte(int8(roundHalfAway(v * id)))
	}
}

// quantizeQ4_0 encodes one block of 32 values. The scale is the signed
// value of largest magnitude divided by -8, so that value maps exactly to
// q=0 and the other side of zero keeps 7 steps; this matches ggml's
// reference quantiser bit for bit.
func quantizeQ4_0(out []byte, x []float32) {
	var amax, vmax float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, vmax = a, v
		}
	}
	d := vmax / -8
	var id float32
	if d != 0 {
		id = 1 / d
	}
	binary.LittleEndian.PutUint16(out, Float16(d))
	for j := 0; j < qk/2; j++ {
		q0 := min(15, int8(x[j]*id+8.5))
		q1 := min(15, int8(x[j+qk/2]*id+8.5))
		out[2+j] = byte(q0) | byte(q1)<<4
	}
}

// DecodeRow decodes n values of type t from src into dst (which it grows as
// needed) and returns the extended slice. It is the inverse of EncodeRow up
// to the precision of t, for tests and for readers of small tensors.
func DecodeRow(dst []float32, t TensorType, src []byte, n int) ([]float32, error) {
	if !t.Encodable() {
		return dst, fmt.Errorf("gguf: cannot decode tensor type %v", t)
	}
	if n%t.BlockSize() != 0 || len(src) < t.RowSize(n) {
		return dst, fmt.Errorf("gguf: %d bytes cannot hold %d values of type %v", len(src), n, t)
	}
	le := binary.LittleEndian
	for i := 0; i < n; i++ {
		var v float32
		switch t {
		case F32:
			v = math.Float32frombits(le.Uint32(src[4*i:]))
		case F16:
			v = Float16To32(le.Uint16(src[2*i:]))
		case BF16:
			v = BFloat16To32(le.Uint16(src[2*i:]))
		case Q8_0:
			blk := src[i/qk*q8_0Bytes:]
			v = Float16To32(le.Uint16(blk)) * float32(int8(blk[2+i%qk]))
		case Q4_0:
			blk := src[i/qk*q4_0Bytes:]
			j := i % qk
			q := blk[2+j%(qk/2)]
			if j >= qk/2 {
				q >>= 4
			}
			v = Float16To32(le.Uint16(blk)) * float32(int(q&0x0f)-8)
		}
		dst = append(dst, v)
	}
	return dst, nil
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// roundHalfAway rounds like C's roundf, which ggml's quantiser uses, rather
// than Go's ties-to-even conversion.
func roundHalfAway(v float32) float32 { return float32(math.Round(float64(v))) }
