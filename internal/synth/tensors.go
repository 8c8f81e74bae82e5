package synth

import "github.com/capgen/capgen/gguf"

// initKind says how a tensor is initialised when no real weights are given.
type initKind int

const (
	initNormal initKind = iota // N(0, std): weights, embeddings, linear biases
	initOnes                   // norm scales: identity at start
	initZeros                  // norm biases
)

// typeRule says which element type a tensor may take.
type typeRule int

const (
	// ruleWeight: the file's weight type, falling back to F16 when the
	// first dimension does not fill that type's blocks.
	ruleWeight typeRule = iota
	// ruleF32: always F32, as llama.cpp expects for norms and biases.
	ruleF32
	// ruleFloat: F32 in an F32 file, otherwise F16 and never quantised:
	// for tensors that clip.cpp feeds to ops without quantised kernels
	// (conv kernels, a transposed projection).
	ruleFloat
)

// tensorSpec is one tensor a model needs, before a type is chosen.
type tensorSpec struct {
	name  string
	shape []uint64 // ggml order
	init  initKind
	rule  typeRule
}

func dims(d ...int) []uint64 {
	s := make([]uint64, len(d))
	for i, v := range d {
		s[i] = uint64(v)
	}
	return s
}

// weight, norm, normBias and bias are the common tensor kinds.
func weight(name string, d ...int) tensorSpec {
	return tensorSpec{name, dims(d...), initNormal, ruleWeight}
}
func norm(name string, n int) tensorSpec     { return tensorSpec{name, dims(n), initOnes, ruleF32} }
func normBias(name string, n int) tensorSpec { return tensorSpec{name, dims(n), initZeros, ruleF32} }
func bias(name string, n int) tensorSpec     { return tensorSpec{name, dims(n), initNormal, ruleF32} }

// typeFor picks the element type of a tensor in a file whose large
// weights are of type want.
func (s tensorSpec) typeFor(want gguf.TensorType) gguf.TensorType {
	switch s.rule {
	case ruleF32:
		return gguf.F32
	case ruleFloat:
		if want == gguf.F32 {
			return gguf.F32
		}
		return gguf.F16
	}
	if len(s.shape) < 2 {
		return gguf.F32
	}
	if s.shape[0]%uint64(want.BlockSize()) != 0 {
		return gguf.F16
	}
	return want
}
