package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ollama "github.com/ollama/ollama/api"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/server"
	"github.com/capgen/capgen/toy"
)

// The scene of testdata/scene.png as the toy model captions it.
const (
	sceneEN = "A yellow triangle at the top left, a green star at the bottom left and a blue triangle at the bottom right."
	sceneDE = "Ein gelbes Dreieck oben links, ein grüner Stern unten links und ein blaues Dreieck unten rechts."
)

var (
	engineOnce sync.Once
	engine     *caption.Engine
	engineErr  error
)

// toyEngine is one toy engine for the package's tests (each server runs
// its own stream on it; an engine serves several at once).
func toyEngine(t *testing.T) *caption.Engine {
	t.Helper()
	engineOnce.Do(func() {
		m, mm, err := toy.Files()
		if err != nil {
			engineErr = err
			return
		}
		engine, engineErr = caption.Load(context.Background(), m, mm,
			&caption.LoadOptions{Projector: llama.ProjectorOptions{Threads: 1, NoWarmup: true}},
			&caption.Options{Threads: 1, Contexts: 4})
	})
	require.NoError(t, engineErr)
	return engine
}

// serve starts a server on loopback with its batch running; it is drained
// and stopped when the test ends.
func serve(t *testing.T, opt *server.Options) (*server.Server, *httptest.Server) {
	t.Helper()
	s := server.New(toyEngine(t), opt)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- s.Run(ctx) }()
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		hs.Close()
		sctx, scancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer scancel()
		s.Shutdown(sctx)
		cancel()
		<-ran
	})
	waitReady(t, hs.URL)
	return s, hs
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	for range 200 {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server never became ready")
}

func scenePNG(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "scene.png"))
	require.NoError(t, err)
	return b
}

func postJSON(t *testing.T, url string, body any, header ...string) (int, []byte) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, out
}

// The native API: two languages from one request (base64 JSON), and the
// same as a multipart upload.
func TestNativeDescribe(t *testing.T) {
	_, hs := serve(t, nil)
	png := scenePNG(t)
	code, body := postJSON(t, hs.URL+"/capgen/v1/describe", map[string]any{
		"image": base64.StdEncoding.EncodeToString(png), "languages": []string{"en", "de"}})
	require.Equal(t, http.StatusOK, code, string(body))
	var res caption.Result
	require.NoError(t, json.Unmarshal(body, &res))
	require.Len(t, res.Captions, 2)
	assert.Equal(t, sceneEN, res.Captions[0].Text)
	assert.Equal(t, sceneDE, res.Captions[1].Text)
	assert.Equal(t, caption.StatusOK, res.Captions[1].Status)

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("image", "scene.png")
	fw.Write(png)
	mw.WriteField("languages", "de")
	mw.Close()
	resp, err := http.Post(hs.URL+"/capgen/v1/describe", mw.FormDataContentType(), &form)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&res))
	assert.Equal(t, sceneDE, res.Captions[0].Text)
}

// Captions stream per language as Server-Sent Events: the text events of
// each language add up to its caption, then the result.
func TestNativeDescribeStream(t *testing.T) {
	_, hs := serve(t, nil)
	b, _ := json.Marshal(map[string]any{"image": base64.StdEncoding.EncodeToString(scenePNG(t)), "languages": []string{"en", "de"}, "stream": true})
	resp, err := http.Post(hs.URL+"/capgen/v1/describe", "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	texts := map[string]string{}
	var result caption.Result
	event := ""
	for _, line := range strings.Split(string(raw), "\n") {
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "text":
			var p struct{ Language, Text string }
			require.NoError(t, json.Unmarshal([]byte(line[6:]), &p))
			texts[p.Language] += p.Text
		case strings.HasPrefix(line, "data: ") && event == "result":
			require.NoError(t, json.Unmarshal([]byte(line[6:]), &result))
		}
	}
	assert.Equal(t, sceneEN, texts["en"])
	assert.Equal(t, sceneDE, texts["de"])
	require.Len(t, result.Captions, 2)
	assert.Equal(t, sceneDE, result.Captions[1].Text)
}

// The official OpenAI Go client captions testdata/scene.png through
// /v1/chat/completions, without and with streaming.
func TestOpenAIClient(t *testing.T) {
	_, hs := serve(t, nil)
	client := openai.NewClient(option.WithBaseURL(hs.URL+"/v1/"), option.WithAPIKey("unused"), option.WithMaxRetries(0))
	dataURL := "data:image/png;base64," + base64.StdEncoding.EncodeToString(scenePNG(t))
	params := openai.ChatCompletionNewParams{
		Model: "capgen-toy",
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
				openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: dataURL}),
			}),
		},
	}
	ctx := context.Background()
	got, err := client.Chat.Completions.New(ctx, params)
	require.NoError(t, err)
	require.Len(t, got.Choices, 1)
	assert.Equal(t, sceneEN, got.Choices[0].Message.Content)
	assert.Equal(t, "stop", got.Choices[0].FinishReason)

	stream := client.Chat.Completions.NewStreaming(ctx, params)
	var text strings.Builder
	chunks := 0
	for stream.Next() {
		c := stream.Current()
		chunks++
		if len(c.Choices) > 0 {
			text.WriteString(c.Choices[0].Delta.Content)
		}
	}
	require.NoError(t, stream.Err())
	assert.Greater(t, chunks, 2, "the caption arrives in pieces")
	assert.Equal(t, sceneEN, text.String())

	models, err := client.Models.List(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, models.Data)

	// stop cuts the caption before the string; max_tokens ends it early
	// with finish_reason "length".
	cut := params
	cut.Stop = openai.ChatCompletionNewParamsStopUnion{OfString: openai.String(", a green")}
	got, err = client.Chat.Completions.New(ctx, cut)
	require.NoError(t, err)
	assert.Equal(t, "A yellow triangle at the top left", got.Choices[0].Message.Content)
	short := params
	short.MaxTokens = openai.Int(3)
	got, err = client.Chat.Completions.New(ctx, short)
	require.NoError(t, err)
	assert.Equal(t, "length", got.Choices[0].FinishReason)
	assert.Equal(t, int64(3), got.Usage.CompletionTokens)
}

// Ollama's own Go client: /api/chat and /api/generate, streaming (its
// default) and not, and /api/tags and /api/version.
func TestOllamaClient(t *testing.T) {
	_, hs := serve(t, &server.Options{Version: "0.90.0"})
	u, err := url.Parse(hs.URL)
	require.NoError(t, err)
	client := ollama.NewClient(u, http.DefaultClient)
	ctx := context.Background()
	png := scenePNG(t)
	for _, stream := range []bool{true, false} {
		var chat strings.Builder
		var last ollama.ChatResponse
		err := client.Chat(ctx, &ollama.ChatRequest{Model: "capgen-toy", Stream: &stream,
			Messages: []ollama.Message{{Role: "user", Images: []ollama.ImageData{png}}}},
			func(r ollama.ChatResponse) error {
				chat.WriteString(r.Message.Content)
				last = r
				return nil
			})
		require.NoError(t, err, "stream %v", stream)
		assert.Equal(t, sceneEN, chat.String(), "chat, stream %v", stream)
		assert.True(t, last.Done)

		var gen strings.Builder
		err = client.Generate(ctx, &ollama.GenerateRequest{Model: "capgen-toy", Stream: &stream, Images: []ollama.ImageData{png}},
			func(r ollama.GenerateResponse) error {
				gen.WriteString(r.Response)
				return nil
			})
		require.NoError(t, err)
		assert.Equal(t, sceneEN, gen.String(), "generate, stream %v", stream)
	}
	list, err := client.List(ctx)
	require.NoError(t, err)
	require.Len(t, list.Models, 1)
	v, err := client.Version(ctx)
	require.NoError(t, err)
	assert.Equal(t, "0.90.0", v)
}

// newLoopback serves s on a loopback test server, closed with the test.
func newLoopback(t *testing.T, s *server.Server) string {
	t.Helper()
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return hs.URL
}
