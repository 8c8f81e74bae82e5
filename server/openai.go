package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/capgen/capgen/caption"
)

// The OpenAI-compatible API: POST /v1/chat/completions and GET /v1/models,
// enough for the official client libraries to caption an image. The last
// user message's image_url part (a data: URL, or an http(s) URL with
// Options.AllowRemoteImages) is the image; its text, when there is any,
// is the instruction (the language statement of capgen's templates is
// kept); without text the caption template of the language is used. The
// language is the extension field "language", else the language the text
// is written in, else English. The extension field "capgen" of the answer
// carries the caption's language check.

type chatRequest struct {
	Model               string          `json:"model"`
	Messages            []chatMessage   `json:"messages"`
	Stream              bool            `json:"stream"`
	MaxTokens           int             `json:"max_tokens"`
	MaxCompletionTokens int             `json:"max_completion_tokens"`
	Temperature         float64         `json:"temperature"`
	TopP                float64         `json:"top_p"`
	Seed                int64           `json:"seed"`
	Stop                json.RawMessage `json:"stop"`
	Language            string          `json:"language"`
	OnMismatch          string          `json:"on_mismatch"`
}

type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type chatPart struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	ImageURL *struct {
		URL string `json:"url"`
	} `json:"image_url"`
}

var completionIDs atomic.Int64

func (s *Server) openAIRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /v1/chat/completions", s.api(s.handleChat))
	m.HandleFunc("GET /v1/models", s.info(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []map[string]any{
			{"id": s.opt.ModelID, "object": "model", "created": s.started.Unix(), "owned_by": "capgen"}}})
	}))
}

// userTurn is the text and the image of the last user message.
func userTurn(msgs []chatMessage) (text, image string, err error) {
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Role != "user" {
			continue
		}
		var str string
		if json.Unmarshal(m.Content, &str) == nil {
			text = str
		} else {
			var parts []chatPart
			if err := json.Unmarshal(m.Content, &parts); err != nil {
				return "", "", badRequest("messages[%d].content: want a string or a list of parts: %v", i, err)
			}
			var texts []string
			for _, p := range parts {
				switch p.Type {
				case "text":
					texts = append(texts, p.Text)
				case "image_url":
					if p.ImageURL == nil || p.ImageURL.URL == "" {
						return "", "", badRequest("messages[%d]: an image_url part without a url", i)
					}
					image = p.ImageURL.URL
				default:
					return "", "", badRequest("messages[%d]: part type %q is not supported (use text and image_url)", i, p.Type)
				}
			}
			text = strings.Join(texts, "\n")
		}
		if image == "" {
			return "", "", badRequest("the last user message has no image_url part: capgen captions images")
		}
		return strings.TrimSpace(text), image, nil
	}
	return "", "", badRequest("messages: no user message")
}

// stopList reads OpenAI's stop: a string or a list of strings.
func stopList(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, badRequest("stop: want a string or a list of strings")
	}
	return list, nil
}

// promptLanguage is the language a caption is asked in: the explicit one,
// else that of the prompt (when the identifier is sure), else English.
func promptLanguage(explicit, prompt string) (caption.Language, error) {
	if explicit != "" {
		l, err := caption.LookupLanguage(explicit)
		if err != nil {
			return caption.Language{}, fmt.Errorf("language: %w", err)
		}
		return l, nil
	}
	if len(strings.Fields(prompt)) >= 4 {
		if d := caption.DetectLanguage(prompt, caption.Language{}); !d.Lang.IsZero() {
			return d.Lang, nil
		}
	}
	return caption.MustLookupLanguage("en"), nil
}

// compatRequest is what the OpenAI and Ollama endpoints ask the engine.
type compatRequest struct {
	prompt, image, language, onMismatch string
	maxTokens                           int
	temperature, topP                   float64
	seed                                int64
	stop                                []string
	stream                              bool
}

func (s *Server) compatTask(r *http.Request, c compatRequest) (*caption.Request, error) {
	src, err := parseImageString(c.image)
	if err != nil {
		return nil, err
	}
	lang, err := promptLanguage(c.language, c.prompt)
	if err != nil {
		return nil, err
	}
	policy, err := s.policy(c.onMismatch)
	if err != nil {
		return nil, err
	}
	if c.stream {
		// Streamed text cannot be taken back: the first answer stands,
		// and the verdict comes with the last chunk.
		policy = caption.MismatchKeep
	}
	if c.temperature < 0 || c.topP < 0 || c.topP > 1 {
		return nil, badRequest("temperature must be at least 0 and top_p within 0..1")
	}
	img, err := s.load(r.Context(), src, 1)
	if err != nil {
		return nil, err
	}
	return &caption.Request{Image: img, Languages: []caption.Language{lang}, Instruction: c.prompt, OnMismatch: policy,
		Generation: caption.Generation{MaxTokens: c.maxTokens, Stop: c.stop,
			Sampling: caption.Sampling{Temperature: float32(c.temperature), TopP: float32(c.topP), Seed: uint32(c.seed)}}}, nil
}

// verdict is the language check of a compat answer, in the extension
// field "capgen".
type verdict struct {
	Language string            `json:"language"`
	Status   caption.Status    `json:"status"`
	Detected caption.Detection `json:"detected"`
	Attempts []caption.Attempt `json:"attempts,omitempty"`
}

func verdictOf(c caption.Caption) verdict {
	return verdict{Language: c.Language.Tag, Status: c.Status, Detected: c.Detected, Attempts: c.Attempts}
}

// finishReason maps a caption's stop to OpenAI's.
func finishReason(c caption.Caption) string {
	if c.Stop == caption.StopReason("length") || c.Stop == caption.StopReason("context") {
		return "length"
	}
	return "stop"
}

// compatCaption is the one caption of a compat answer, or the error that
// a failed language check is.
func compatCaption(res any) (caption.Caption, error) {
	r, ok := res.(*caption.Result)
	if !ok || len(r.Captions) == 0 {
		return caption.Caption{}, fmt.Errorf("no caption in the result")
	}
	c := r.Captions[0]
	if c.Failed() {
		return c, &languageFailure{c}
	}
	return c, nil
}

// languageFailure is a caption that failed the language check (422).
type languageFailure struct{ c caption.Caption }

func (e *languageFailure) Error() string {
	return fmt.Sprintf("no answer in %s passed the language check (%s); on_mismatch \"warn\" keeps the last answer",
		e.c.Language.English, e.c.Detected.Reason)
}

func (s *Server) handleChat(w http.ResponseWriter, r *http.Request) {
	var q chatRequest
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
		fail(w, wrapBody(err, "JSON body"))
		return
	}
	text, image, err := userTurn(q.Messages)
	if err != nil {
		fail(w, err)
		return
	}
	stop, err := stopList(q.Stop)
	if err != nil {
		fail(w, err)
		return
	}
	req, err := s.compatTask(r, compatRequest{prompt: text, image: image, language: q.Language, onMismatch: q.OnMismatch,
		maxTokens: max(q.MaxTokens, q.MaxCompletionTokens), temperature: q.Temperature, topP: q.TopP, seed: q.Seed, stop: stop, stream: q.Stream})
	if err != nil {
		fail(w, err)
		return
	}
	id := fmt.Sprintf("chatcmpl-capgen-%d", completionIDs.Add(1))
	created := time.Now().Unix()
	model := orDefault(q.Model, s.opt.ModelID)
	if !q.Stream {
		res, err := s.submit(r.Context(), req)
		if err != nil {
			s.stats.failed.Add(1)
			fail(w, err)
			return
		}
		c, err := compatCaption(res)
		if err != nil {
			writeError(w, http.StatusUnprocessableEntity, err.Error())
			return
		}
		s.count(res)
		writeJSON(w, http.StatusOK, map[string]any{
			"id": id, "object": "chat.completion", "created": created, "model": model,
			"choices": []map[string]any{{"index": 0, "message": map[string]any{"role": "assistant", "content": c.Text},
				"finish_reason": finishReason(c), "logprobs": nil}},
			"usage":  map[string]int{"prompt_tokens": 0, "completion_tokens": c.Tokens, "total_tokens": c.Tokens},
			"capgen": verdictOf(c),
		})
		return
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": model,
			"choices": []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": nil}}}
	}
	p := newPieces()
	req.OnText = p.add
	sse := startSSE(w)
	sse.event("", chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	res, err := s.streamRun(w, r, req, p, func(pc piece) error {
		return sse.event("", chunk(map[string]any{"content": pc.text}, nil))
	})
	if err != nil {
		sse.event("", map[string]any{"error": map[string]any{"message": err.Error(), "code": statusOf(err)}})
		return
	}
	s.count(res)
	c, _ := compatCaption(res)
	last := chunk(map[string]any{}, finishReason(c))
	last["usage"] = map[string]int{"prompt_tokens": 0, "completion_tokens": c.Tokens, "total_tokens": c.Tokens}
	last["capgen"] = verdictOf(c)
	sse.event("", last)
	sse.raw("[DONE]")
}
