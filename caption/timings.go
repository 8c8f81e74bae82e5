package caption

import (
	"encoding/json"
	"time"

	"github.com/capgen/capgen/llama"
)

// stats accumulates the work of one call.
type stats struct {
	rounds int
	llama  llama.Stats
}

// add accumulates the work of another call.
func (st *stats) add(o stats) {
	st.rounds += o.rounds
	st.llama.ImageEncodes += o.llama.ImageEncodes
	st.llama.ImageCacheHits += o.llama.ImageCacheHits
	st.llama.ImageEncodeTime += o.llama.ImageEncodeTime
	st.llama.ImageTokens += o.llama.ImageTokens
	st.llama.ImageDecodeTime += o.llama.ImageDecodeTime
	st.llama.PromptTokens += o.llama.PromptTokens
	st.llama.PromptTime += o.llama.PromptTime
	st.llama.GeneratedTokens += o.llama.GeneratedTokens
	st.llama.GenerateTime += o.llama.GenerateTime
	st.llama.Decodes += o.llama.Decodes
}

// Timings reports where the time of a call went. In JSON the durations
// are milliseconds.
type Timings struct {
	Total           time.Duration
	ImageEncode     time.Duration // vision encoder and projector
	ImageEncodes    int           // image slices encoded
	ImageCacheHits  int           // image slices taken from the embedding cache
	Prompt          time.Duration // prompt text and image embeddings into the KV cache
	PromptTokens    int
	Generate        time.Duration
	GeneratedTokens int
	Rounds          int // context rounds the call needed
}

// MarshalJSON writes durations as milliseconds.
func (t Timings) MarshalJSON() ([]byte, error) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return json.Marshal(struct {
		Total           float64 `json:"total_ms"`
		ImageEncode     float64 `json:"image_encode_ms"`
		ImageEncodes    int     `json:"image_encodes"`
		ImageCacheHits  int     `json:"image_cache_hits"`
		Prompt          float64 `json:"prompt_ms"`
		PromptTokens    int     `json:"prompt_tokens"`
		Generate        float64 `json:"generate_ms"`
		GeneratedTokens int     `json:"generated_tokens"`
		Rounds          int     `json:"rounds"`
	}{ms(t.Total), ms(t.ImageEncode), t.ImageEncodes, t.ImageCacheHits, ms(t.Prompt), t.PromptTokens, ms(t.Generate), t.GeneratedTokens, t.Rounds})
}

func (st *stats) timings(total time.Duration) Timings {
	return Timings{
		Total:           total,
		ImageEncode:     st.llama.ImageEncodeTime,
		ImageEncodes:    st.llama.ImageEncodes,
		ImageCacheHits:  st.llama.ImageCacheHits,
		Prompt:          st.llama.PromptTime + st.llama.ImageDecodeTime,
		PromptTokens:    st.llama.PromptTokens + st.llama.ImageTokens,
		Generate:        st.llama.GenerateTime,
		GeneratedTokens: st.llama.GeneratedTokens,
		Rounds:          st.rounds,
	}
}
