package gguf

import "math"

// Float16 converts f to IEEE 754 binary16 bits, rounding to nearest with
// ties to even as ggml's own conversion does. Values beyond the largest
// half (65504) become ±Inf, values below the smallest subnormal become ±0,
// and NaN stays a (quiet) NaN.
func Float16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff

	if exp == 0xff { // Inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}

	// Re-bias the exponent from 127 to 15.
	e := exp - 127 + 15
	switch {
	case e >= 0x1f:
		return sign | 0x7c00
	case e <= 0:
		// Subnormal half (or zero): shift the mantissa, with its implicit
		// leading one, right by the exponent deficit and round.
		if e < -10 {
			return sign
		}
		m := mant | 0x800000
		shift := uint32(14 - e)
		half := m >> shift
		rem := m & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rem > mid || (rem == mid && half&1 == 1) {
			half++
		}
		// A carry out of the mantissa lands in the exponent field, which
		// is exactly the smallest normal number: no special case needed.
		return sign | uint16(half)
	}

	h := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 == 1) {
		h++ // may carry into the exponent, and up to Inf, as it should
	}
	return sign | uint16(h)
}

// Float16To32 converts IEEE 754 binary16 bits to float32 exactly.
func Float16To32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp == 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: value is mant * 2^-24.
		f := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp-15+127)<<23 | mant<<13)
}

// BFloat16 converts f to bfloat16 bits (the top half of a float32),
// rounding to nearest with ties to even; NaN stays a quiet NaN.
func BFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// BFloat16To32 converts bfloat16 bits to float32 exactly.
func BFloat16To32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }
