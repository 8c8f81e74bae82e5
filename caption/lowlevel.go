package caption

import "github.com/capgen/capgen/llama"

// The llama types that appear in caption's requests and results, under
// caption's name: a program that captions images needs only this package,
// vision and, for a model pair, paths. LoadOptions (llama's model and
// projector options) and Engine.Model and Engine.Projector are the
// deliberate exceptions, for callers who tune or inspect the layer below.

// Sampling sets temperature, top-p, top-k, repetition penalty and seed
// (Generation.Sampling); the zero value is greedy decoding.
type Sampling = llama.Sampling

// KVCacheType is the KV cache's number format (Options.KVCache).
type KVCacheType = llama.KVCacheType

// KV cache types: f16 (the default), q8_0 (half the memory), q4_0.
const (
	KVCacheF16  = llama.KVCacheF16
	KVCacheQ8_0 = llama.KVCacheQ8_0
	KVCacheQ4_0 = llama.KVCacheQ4_0
)

// StopReason says why a caption ended (Caption.Stop).
type StopReason = llama.StopReason

// Why a caption ended.
const (
	StopEnd     = llama.StopEnd     // the model ended it
	StopString  = llama.StopString  // a stop string appeared
	StopLength  = llama.StopLength  // Generation.MaxTokens reached
	StopContext = llama.StopContext // the KV cache is full
	StopCaller  = llama.StopCaller  // the caller's OnText stopped it
)

// Measure is one timed image encode or decode step (Options.Observe).
type Measure = llama.Measure

// What a Measure timed.
const (
	MeasureImageEncode = llama.MeasureImageEncode
	MeasureStep        = llama.MeasureStep
)
