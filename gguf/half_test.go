package gguf

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/x448/float16"
)

func TestFloat16EdgeCases(t *testing.T) {
	tests := []struct {
		name string
		in   float32
		want uint16
	}{
		{"zero", 0, 0x0000},
		{"negative zero", float32(math.Copysign(0, -1)), 0x8000},
		{"one", 1, 0x3c00},
		{"minus two", -2, 0xc000},
		{"largest half", 65504, 0x7bff},
		{"rounds down to largest half", 65519, 0x7bff},
		{"tie above largest half rounds to even, which is inf", 65520, 0x7c00},
		{"overflow", 1e6, 0x7c00},
		{"negative overflow", -1e6, 0xfc00},
		{"inf", float32(math.Inf(1)), 0x7c00},
		{"smallest normal", 1.0 / (1 << 14), 0x0400},
		{"largest subnormal", 1023.0 / (1 << 24), 0x03ff},
		{"smallest subnormal", 1.0 / (1 << 24), 0x0001},
		{"half of smallest subnormal ties to even zero", 1.0 / (1 << 25), 0x0000},
		{"three quarters of smallest subnormal rounds up", 3.0 / (1 << 26), 0x0001},
		{"far below subnormal", 1e-30, 0x0000},
		{"one and a half ulp ties to even", 1 + 3.0/(1<<11), 0x3c02},
		{"one half ulp ties to even (down)", 1 + 1.0/(1<<11), 0x3c00},
		{"subnormal rounding carries into normal", 2047.0 / (1 << 25), 0x0400},
	}
	for _, tt := range tests {
		if got := Float16(tt.in); got != tt.want {
			t.Errorf("%s: Float16(%g) = %#04x, want %#04x", tt.name, tt.in, got, tt.want)
		}
	}
	if h := Float16(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("Float16(NaN) = %#04x, want a NaN", h)
	}
}

// Every half value converts to float32 and back unchanged.
func TestFloat16RoundTripAllHalves(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := Float16To32(uint16(h))
		if f != f { // NaN: payloads need not survive
			continue
		}
		if got := Float16(f); got != uint16(h) {
			t.Fatalf("half %#04x -> %g -> %#04x", h, f, got)
		}
	}
}

// An independent implementation agrees on random float32 bit patterns,
// which cover every exponent range including subnormal halves.
func TestFloat16MatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1_000_000; i++ {
		f := math.Float32frombits(r.Uint32())
		if f != f {
			continue
		}
		if got, want := Float16(f), float16.Fromfloat32(f).Bits(); got != want {
			t.Fatalf("Float16(%g = %#08x) = %#04x, reference says %#04x", f, math.Float32bits(f), got, want)
		}
		h := uint16(r.Uint32())
		if Float16To32(h) != Float16To32(h) {
			continue
		}
		if got, want := Float16To32(h), float16.Frombits(h).Float32(); got != want {
			t.Fatalf("Float16To32(%#04x) = %g, reference says %g", h, got, want)
		}
	}
}

func TestBFloat16(t *testing.T) {
	tests := []struct {
		in   float32
		want uint16
	}{
		{0, 0},
		{1, 0x3f80},
		{-1, 0xbf80},
		{math.Float32frombits(0x3f808000), 0x3f80}, // tie, even stays
		{math.Float32frombits(0x3f818000), 0x3f82}, // tie, odd rounds up
		{math.Float32frombits(0x3f808001), 0x3f81}, // above the tie
		{float32(math.Inf(-1)), 0xff80},
		{math.MaxFloat32, 0x7f80}, // rounds up to Inf
	}
	for _, tt := range tests {
		if got := BFloat16(tt.in); got != tt.want {
			t.Errorf("BFloat16(%#08x) = %#04x, want %#04x", math.Float32bits(tt.in), got, tt.want)
		}
	}
	if h := BFloat16(float32(math.NaN())); BFloat16To32(h) == BFloat16To32(h) {
		t.Errorf("BFloat16(NaN) = %#04x, not a NaN", h)
	}
	for h := 0; h < 1<<16; h++ {
		f := BFloat16To32(uint16(h))
		if f == f && BFloat16(f) != uint16(h) {
			t.Fatalf("bf16 %#04x does not round-trip", h)
		}
	}
}
