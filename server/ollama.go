package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/capgen/capgen/caption"
)

// The Ollama-compatible API: /api/chat, /api/generate (images as base64 in
// the request), /api/tags and /api/version, enough for Ollama's own
// client library and the applications built on it. Streaming (Ollama's
// default) writes newline-delimited JSON. The prompt, language and
// language-check rules are those of the OpenAI endpoint; errors have
// Ollama's shape, {"error": "..."}.

type ollamaMessage struct {
	Role    string   `json:"role"`
	Content string   `json:"content"`
	Images  []string `json:"images,omitempty"`
}

type ollamaOptions struct {
	Temperature float64  `json:"temperature"`
	TopP        float64  `json:"top_p"`
	Seed        int64    `json:"seed"`
	NumPredict  int      `json:"num_predict"`
	Stop        []string `json:"stop"`
}

type ollamaChatRequest struct {
	Model    string          `json:"model"`
	Messages []ollamaMessage `json:"messages"`
	Stream   *bool           `json:"stream"`
	Options  json.RawMessage `json:"options"`
	Language string          `json:"language"`
}

type ollamaGenerateRequest struct {
	Model    string          `json:"model"`
	Prompt   string          `json:"prompt"`
	Images   []string        `json:"images"`
	Stream   *bool           `json:"stream"`
	Options  json.RawMessage `json:"options"`
	Language string          `json:"language"`
}

func (s *Server) ollamaRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /api/chat", s.api(s.handleOllamaChat))
	m.HandleFunc("POST /api/generate", s.api(s.handleOllamaGenerate))
	m.HandleFunc("GET /api/tags", s.info(s.handleOllamaTags))
	m.HandleFunc("GET /api/version", s.info(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"version": orDefault(s.opt.Version, "0.0.0")})
	}))
}

func ollamaError(w http.ResponseWriter, err error) {
	status := statusOf(err)
	if _, ok := err.(*languageFailure); ok {
		status = http.StatusUnprocessableEntity
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, map[string]string{"error": strings.TrimPrefix(err.Error(), errBadInput.Error()+": ")})
}

func readOptions(raw json.RawMessage) (ollamaOptions, error) {
	var o ollamaOptions
	if len(raw) > 0 && string(raw) != "null" {
		if err := json.Unmarshal(raw, &o); err != nil {
			return o, badRequest("options: %v", err)
		}
	}
	return o, nil
}

func (s *Server) handleOllamaChat(w http.ResponseWriter, r *http.Request) {
	var q ollamaChatRequest
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
		ollamaError(w, wrapBody(err, "JSON body"))
		return
	}
	var turn *ollamaMessage
	for i := len(q.Messages) - 1; i >= 0; i-- {
		if q.Messages[i].Role == "user" {
			turn = &q.Messages[i]
			break
		}
	}
	if turn == nil || len(turn.Images) == 0 {
		ollamaError(w, badRequest("the last user message has no images: capgen captions images"))
		return
	}
	s.ollamaRun(w, r, q.Model, turn.Content, turn.Images[len(turn.Images)-1], q.Language, q.Stream, q.Options, true)
}

func (s *Server) handleOllamaGenerate(w http.ResponseWriter, r *http.Request) {
	var q ollamaGenerateRequest
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
		ollamaError(w, wrapBody(err, "JSON body"))
		return
	}
	if len(q.Images) == 0 {
		ollamaError(w, badRequest("no images: capgen captions images"))
		return
	}
	s.ollamaRun(w, r, q.Model, q.Prompt, q.Images[len(q.Images)-1], q.Language, q.Stream, q.Options, false)
}

// ollamaRun answers /api/chat (chat) or /api/generate.
func (s *Server) ollamaRun(w http.ResponseWriter, r *http.Request, model, prompt, image, lang string, stream *bool, rawOpt json.RawMessage, chat bool) {
	opt, err := readOptions(rawOpt)
	if err != nil {
		ollamaError(w, err)
		return
	}
	streaming := stream == nil || *stream
	req, err := s.compatTask(r, compatRequest{prompt: strings.TrimSpace(prompt), image: image, language: lang,
		maxTokens: max(opt.NumPredict, 0), temperature: opt.Temperature, topP: opt.TopP, seed: opt.Seed, stop: opt.Stop, stream: streaming})
	if err != nil {
		ollamaError(w, err)
		return
	}
	model = orDefault(model, s.opt.ModelID)
	start := time.Now()
	line := func(text string, done bool, c *caption.Caption) map[string]any {
		m := map[string]any{"model": model, "created_at": time.Now().UTC().Format(time.RFC3339Nano), "done": done}
		if chat {
			m["message"] = map[string]string{"role": "assistant", "content": text}
		} else {
			m["response"] = text
		}
		if done {
			m["done_reason"] = "stop"
			if finishReason(*c) == "length" {
				m["done_reason"] = "length"
			}
			m["total_duration"] = time.Since(start).Nanoseconds()
			m["eval_count"] = c.Tokens
			m["capgen"] = verdictOf(*c)
		}
		return m
	}
	if !streaming {
		res, err := s.submit(r.Context(), req)
		if err != nil {
			s.stats.failed.Add(1)
			ollamaError(w, err)
			return
		}
		c, err := compatCaption(res)
		if err != nil {
			ollamaError(w, err)
			return
		}
		s.count(res)
		writeJSON(w, http.StatusOK, line(c.Text, true, &c))
		return
	}
	p := newPieces()
	req.OnText = p.add
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	res, err := s.streamRun(w, r, req, p, func(pc piece) error {
		return enc.Encode(line(pc.text, false, nil))
	})
	if err != nil {
		enc.Encode(map[string]string{"error": err.Error()})
		return
	}
	s.count(res)
	c, _ := compatCaption(res)
	final := line("", true, &c)
	enc.Encode(final)
}

func (s *Server) handleOllamaTags(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"models": []map[string]any{{
		"name": s.opt.ModelID, "model": s.opt.ModelID, "modified_at": s.started.UTC().Format(time.RFC3339),
		"size": 0, "digest": fmt.Sprintf("%x", []byte(s.opt.ModelID)),
		"details": map[string]any{"format": "gguf", "family": "capgen", "families": []string{"capgen"}},
	}}})
}
