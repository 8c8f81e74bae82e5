package gguf

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

func randomRow(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

// Each dequantised value is within the quantisation step of its block:
// half a step from rounding plus what rounding the scale to float16 adds.
func TestQ8_0RoundTripErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, scale := range []float64{1e-4, 0.02, 1, 300} {
		x := randomRow(r, 32*64, scale)
		enc, err := EncodeRow(nil, Q8_0, x)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) != 64*34 {
			t.Fatalf("encoded %d bytes, want %d", len(enc), 64*34)
		}
		got, err := DecodeRow(nil, Q8_0, enc, len(x))
		if err != nil {
			t.Fatal(err)
		}
		for b := 0; b < 64; b++ {
			var amax float64
			for _, v := range x[b*32 : b*32+32] {
				amax = math.Max(amax, math.Abs(float64(v)))
			}
			// Below 127*2^-14 the scale is a subnormal half, whose absolute
			// rounding error (2^-25) times |q| <= 127 adds to the bound.
			step := amax / 127
			bound := 0.57*step + 127*math.Pow(2, -25)
			for j := b * 32; j < b*32+32; j++ {
				if e := math.Abs(float64(got[j] - x[j])); e > bound {
					t.Fatalf("scale %g: value %d: %g decoded as %g, error %g > %g", scale, j, x[j], got[j], e, bound)
				}
			}
		}
	}
}

// The largest value of a block maps to ±127 and an all-zero block encodes
// as zeros, exactly as ggml's reference quantiser does.
func TestQ8_0Encoding(t *testing.T) {
	x := make([]float32, 32)
	for i := range x {
		x[i] = float32(i - 16)
	}
	enc, _ := EncodeRow(nil, Q8_0, x)
	d := Float16To32(binary.LittleEndian.Uint16(enc))
	if want := Float16To32(Float16(16.0 / 127)); d != want {
		t.Errorf("scale %g, want %g", d, want)
	}
	if q := int8(enc[2]); q != -127 {
		t.Errorf("q[0] = %d, want -127", q)
	}
	if q := int8(enc[2+16]); q != 0 {
		t.Errorf("q[16] = %d, want 0", q)
	}
	// 8/(16/127) = 63.5 rounds away from zero, as C's roundf does.
	if q := int8(enc[2+24]); q != 64 {
		t.Errorf("q[24] = %d, want 64", q)
	}
	zero, _ := EncodeRow(nil, Q8_0, make([]float32, 32))
	for i, b := range zero {
		if b != 0 {
			t.Fatalf("zero block byte %d = %d", i, b)
		}
	}
}

func TestQ4_0RoundTripErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	x := randomRow(r, 32*64, 0.05)
	enc, err := EncodeRow(nil, Q4_0, x)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) != 64*18 {
		t.Fatalf("encoded %d bytes, want %d", len(enc), 64*18)
	}
	got, _ := DecodeRow(nil, Q4_0, enc, len(x))
	for b := 0; b < 64; b++ {
		var amax float64
		for _, v := range x[b*32 : b*32+32] {
			amax = math.Max(amax, math.Abs(float64(v)))
		}
		// The step is amax/8; values on the side opposite the extreme can
		// clip by up to one step at +7.
		step := amax / 8
		for j := b * 32; j < b*32+32; j++ {
			if e := math.Abs(float64(got[j] - x[j])); e > 1.01*step {
				t.Fatalf("value %d: %g decoded as %g, error %g > %g", j, x[j], got[j], e, step)
			}
		}
	}
}

func TestQ4_0Encoding(t *testing.T) {
	x := make([]float32, 32)
	x[0] = -8   // the extreme: d = -8/-8 = 1, q = 0
	x[16] = 3   // q = 3 + 8
	x[1] = 7.49 // 15.99 truncates to 15, decoding to 7
	enc, _ := EncodeRow(nil, Q4_0, x)
	if d := Float16To32(binary.LittleEndian.Uint16(enc)); d != 1 {
		t.Fatalf("scale %g, want 1 (= -8 / -8)", d)
	}
	// Element j sits in the low nibble of byte j, element j+16 in the high one.
	if lo, hi := enc[2]&0xf, enc[2]>>4; lo != 0 || hi != 11 {
		t.Errorf("byte 0 nibbles = %d, %d; want 0 (-8) and 11 (3)", lo, hi)
	}
	if lo := enc[3] & 0xf; lo != 15 {
		t.Errorf("element 1 = %d, want 15 (7.49 truncates after +8.5)", lo)
	}
}

func TestEncodeRowErrors(t *testing.T) {
	if _, err := EncodeRow(nil, Q8_0, make([]float32, 31)); err == nil {
		t.Error("Q8_0 row of 31 values accepted")
	}
	if _, err := EncodeRow(nil, Q4_K, make([]float32, 256)); err == nil {
		t.Error("Q4_K encoding accepted")
	}
}

func TestEncodeDecodePlainTypes(t *testing.T) {
	x := []float32{0, 1, -2.5, 1e-3, 65504, 3.14159}
	for _, typ := range []TensorType{F32, F16, BF16} {
		enc, err := EncodeRow(nil, typ, x)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := DecodeRow(nil, typ, enc, len(x))
		for i := range x {
			tol := map[TensorType]float64{F32: 0, F16: 1e-3, BF16: 8e-3}[typ]
			if e := math.Abs(float64(got[i] - x[i])); e > tol*math.Abs(float64(x[i])) {
				t.Errorf("%v: %g decoded as %g", typ, x[i], got[i])
			}
		}
	}
}
