package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/internal/testmodels"
	"github.com/capgen/capgen/server"
	"github.com/capgen/capgen/toy"
	"github.com/capgen/capgen/vision"
)

// errorMessage reads the one-line message of an error body.
func errorMessage(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error struct{ Message string }
	}
	require.NoError(t, json.Unmarshal(body, &e), string(body))
	require.NotEmpty(t, e.Error.Message, string(body))
	assert.NotContains(t, e.Error.Message, "\n")
	return e.Error.Message
}

// A token is required on every request but the probes.
func TestBearerToken(t *testing.T) {
	_, hs := serve(t, &server.Options{Token: "s3cret"})
	img := base64.StdEncoding.EncodeToString(scenePNG(t))
	code, body := postJSON(t, hs.URL+"/capgen/v1/describe", map[string]any{"image": img})
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Contains(t, errorMessage(t, body), "bearer token")
	code, _ = postJSON(t, hs.URL+"/capgen/v1/describe", map[string]any{"image": img}, "Authorization", "Bearer wrong")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, body = postJSON(t, hs.URL+"/capgen/v1/describe", map[string]any{"image": img}, "Authorization", "Bearer s3cret")
	assert.Equal(t, http.StatusOK, code, string(body))
	resp, err := http.Get(hs.URL + "/v1/models")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, err = http.Get(hs.URL + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// Bad requests get a 4xx with a one-line message, never a 500.
func TestBadRequests(t *testing.T) {
	_, hs := serve(t, &server.Options{MaxBodyBytes: 1 << 20, Decode: vision.Options{MaxPixels: 1_000_000}})
	img := base64.StdEncoding.EncodeToString(scenePNG(t))
	var huge bytes.Buffer // 1.2 megapixels of nothing: a small file
	require.NoError(t, png.Encode(&huge, image.NewGray(image.Rect(0, 0, 1200, 1000))))
	big := base64.StdEncoding.EncodeToString(make([]byte, 1<<20))
	for _, tc := range []struct {
		name, path string
		body       any
		code       int
		says       string
	}{
		{"no image", "describe", map[string]any{}, 400, "no image"},
		{"bad base64", "describe", map[string]any{"image": "%%%not base64%%%"}, 400, "base64"},
		{"not an image", "describe", map[string]any{"image": base64.StdEncoding.EncodeToString([]byte("hello, world"))}, 422, "unknown image format"},
		{"too many pixels", "describe", map[string]any{"image": base64.StdEncoding.EncodeToString(huge.Bytes())}, 422, "megapixels"},
		{"body too large", "describe", map[string]any{"image": big}, 413, "limit"},
		{"unknown language", "describe", map[string]any{"image": img, "languages": []string{"xx-klingon"}}, 400, "xx-klingon"},
		{"unknown field", "describe", map[string]any{"image": img, "langauges": []string{"de"}}, 400, "langauges"},
		{"bad policy", "describe", map[string]any{"image": img, "on_mismatch": "sometimes"}, 400, "on_mismatch"},
		{"bad detail", "describe", map[string]any{"image": img, "detail": "epic"}, 400, "detail"},
		{"negative temperature", "describe", map[string]any{"image": img, "temperature": -1}, 400, "temperature"},
		{"path not allowed", "describe", map[string]any{"path": "/etc/passwd"}, 400, "--allow-paths"},
		{"url not allowed", "describe", map[string]any{"image": "http://127.0.0.1:1/x.png"}, 400, "--allow-remote-images"},
		{"no boxes", "regions", map[string]any{"image": img}, 400, "boxes"},
		{"box of 3 numbers", "regions", map[string]any{"image": img, "boxes": [][]float64{{1, 2, 3}}}, 400, "4 numbers"},
		{"reversed box", "regions", map[string]any{"image": img, "boxes": [][]float64{{100, 100, 10, 10}}}, 400, "box 0"},
		{"box outside", "regions", map[string]any{"image": img, "boxes": [][]float64{{-1e30, 0, -1e29, 10}}}, 400, "box 0"},
		{"bad box format", "regions", map[string]any{"image": img, "boxes": [][]float64{{0, 0, 10, 10}}, "box_format": "inches"}, 400, "box_format"},
		{"bad grid", "dense", map[string]any{"image": img, "grid": "two by two"}, 400, "grid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := postJSON(t, hs.URL+"/capgen/v1/"+tc.path, tc.body)
			assert.Equal(t, tc.code, code, string(body))
			assert.Contains(t, errorMessage(t, body), tc.says)
		})
	}
	// Not JSON at all.
	resp, err := http.Post(hs.URL+"/capgen/v1/describe", "application/json", strings.NewReader("{not json"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	// The compatible APIs too.
	code, body := postJSON(t, hs.URL+"/v1/chat/completions", map[string]any{"model": "m", "messages": []map[string]any{{"role": "user", "content": "hi"}}})
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, errorMessage(t, body), "image_url")
	code, body = postJSON(t, hs.URL+"/api/generate", map[string]any{"model": "m", "prompt": "hi"})
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, string(body), `"error"`)
}

// Paths are read only inside --allow-paths, symlinks included.
func TestAllowPaths(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scene.png"), scenePNG(t), 0o644))
	outside := filepath.Join(t.TempDir(), "secret.png")
	require.NoError(t, os.WriteFile(outside, scenePNG(t), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link.png")))
	_, hs := serve(t, &server.Options{AllowPaths: dir})
	code, body := postJSON(t, hs.URL+"/capgen/v1/describe", map[string]any{"path": "scene.png"})
	assert.Equal(t, http.StatusOK, code, string(body))
	for _, p := range []string{outside, "link.png", "../" + filepath.Base(filepath.Dir(outside)) + "/secret.png", "missing.png"} {
		code, body = postJSON(t, hs.URL+"/capgen/v1/describe", map[string]any{"path": p})
		assert.Equal(t, http.StatusBadRequest, code, "%s: %s", p, body)
	}
}

// Remote images: only with the option, and never from a private or
// loopback address (a test server on loopback stands for the LAN).
func TestRemoteImagesRefusePrivateAddresses(t *testing.T) {
	_, hs := serve(t, &server.Options{AllowRemoteImages: true})
	code, body := postJSON(t, hs.URL+"/capgen/v1/describe", map[string]any{"image": hs.URL + "/healthz"})
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, errorMessage(t, body), "not a public address")
}

// A full queue answers 429 with Retry-After; every other request is
// answered in full.
func TestQueueFull(t *testing.T) {
	_, hs := serve(t, &server.Options{Queue: 1})
	img := base64.StdEncoding.EncodeToString(scenePNG(t))
	const n = 8
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// A second-level dense request needs more sequences than the
			// engine has, so the engine reads no new request while it runs.
			code, _ := postJSON(t, hs.URL+"/capgen/v1/dense", map[string]any{"image": img, "second_level": true, "tile_mode": "region", "max_tokens": 8, "on_mismatch": "keep"})
			codes[i] = code
		})
	}
	wg.Wait()
	rejected := 0
	for _, c := range codes {
		switch c {
		case http.StatusTooManyRequests:
			rejected++
		case http.StatusOK:
		default:
			t.Errorf("status %d", c)
		}
	}
	assert.Positive(t, rejected, "codes %v", codes)
	assert.Less(t, rejected, n, "codes %v", codes)
}

// Shutdown drains: the request in flight is answered in full, a new one
// gets 503, and Run returns.
func TestShutdownDrains(t *testing.T) {
	s := server.New(toyEngine(t), nil)
	ran := make(chan error, 1)
	go func() { ran <- s.Run(context.Background()) }()
	hs := newLoopback(t, s)
	waitReady(t, hs)
	img := base64.StdEncoding.EncodeToString(scenePNG(t))
	inflight := make(chan int, 1)
	go func() {
		code, _ := postJSON(t, hs+"/capgen/v1/dense", map[string]any{"image": img, "second_level": true, "tile_mode": "region", "on_mismatch": "keep"})
		inflight <- code
	}()
	// Wait until the request is in the server's hands.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var info struct{ Requests int }
		resp, err := http.Get(hs + "/capgen/v1/info")
		require.NoError(t, err)
		json.NewDecoder(resp.Body).Decode(&info)
		resp.Body.Close()
		if info.Requests > 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	for { // until the drain has begun
		resp, err := http.Get(hs + "/readyz")
		require.NoError(t, err)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
		time.Sleep(time.Millisecond)
	}
	code, body := postJSON(t, hs+"/capgen/v1/describe", map[string]any{"image": img})
	assert.Equal(t, http.StatusServiceUnavailable, code, string(body))
	assert.Equal(t, http.StatusOK, <-inflight, "the request in flight is finished")
	require.NoError(t, <-shut)
	select {
	case err := <-ran:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after the drain")
	}
}

// A client that goes away mid-stream ends its request: the engine stops
// generating for it at once. Counted in decode steps, not time: the
// request asked a random-weight model (which never ends a caption by
// itself) for 20000 tokens, so without the cancellation the engine runs
// thousands of steps; with it, a few after the client's first event.
func TestClientGoneFreesRequest(t *testing.T) {
	p := testmodels.Tiny(t, "tiny-llava")
	var steps atomic.Int64
	e, err := caption.Load(context.Background(), p.Model, p.MMProj, nil, &caption.Options{Threads: 1, Observe: func(m caption.Measure) {
		if m.Kind == caption.MeasureStep {
			steps.Add(1)
		}
	}})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	s := server.New(e, nil)
	ran := make(chan error, 1)
	go func() { ran <- s.Run(context.Background()) }()
	base := newLoopback(t, s)
	waitReady(t, base)
	b, _ := json.Marshal(map[string]any{"image": base64.StdEncoding.EncodeToString(scenePNG(t)), "languages": []string{"en", "de"},
		"max_tokens": 20000, "stream": true, "on_mismatch": "keep"})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/capgen/v1/describe", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	buf := make([]byte, 256)
	_, err = resp.Body.Read(buf) // the first events
	require.NoError(t, err)
	atFirst := steps.Load()
	cancel()
	resp.Body.Close()
	// The drain returns once the abandoned request has ended.
	dctx, dcancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer dcancel()
	require.NoError(t, s.Shutdown(dctx))
	<-ran
	assert.Less(t, steps.Load()-atFirst, int64(200), "decode steps after the client left (%d before)", atFirst)
	assert.Zero(t, e.BusySequences(), "sequences still held")
}

// GET /metrics: requests by endpoint and code, images and tokens, the
// engine's encode and step histograms, the queue and busy sequences.
func TestMetrics(t *testing.T) {
	m, mm, err := toy.Files()
	require.NoError(t, err)
	metrics := server.NewMetrics()
	e, err := caption.Load(context.Background(), m, mm, nil, &caption.Options{Threads: 1, Observe: metrics.Observe})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	s := server.New(e, &server.Options{Metrics: metrics})
	go s.Run(context.Background())
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	base := newLoopback(t, s)
	waitReady(t, base)
	code, body := postJSON(t, base+"/capgen/v1/describe", map[string]any{"image": base64.StdEncoding.EncodeToString(scenePNG(t)), "languages": []string{"de"}})
	require.Equal(t, http.StatusOK, code, string(body))
	code, _ = postJSON(t, base+"/capgen/v1/describe", map[string]any{})
	require.Equal(t, http.StatusBadRequest, code)
	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(raw)
	for _, want := range []string{
		`capgen_requests_total{code="200",endpoint="POST /capgen/v1/describe"} 1`,
		`capgen_requests_total{code="400",endpoint="POST /capgen/v1/describe"} 1`,
		"capgen_images_total 1",
		"capgen_image_encode_seconds_count 1",
		"capgen_queue_depth 0",
		"capgen_sequences_busy 0",
		"capgen_image_decode_seconds_count",
	} {
		assert.Contains(t, text, want)
	}
	assert.Regexp(t, `capgen_decode_step_seconds_count [1-9]`, text)
	assert.Regexp(t, `capgen_generated_tokens_total [1-9]`, text)
}

// A request that runs past the server's timeout is stopped and answered
// 504; the server stays idle-able (a short drain succeeds).
func TestRequestTimeout(t *testing.T) {
	p := testmodels.Tiny(t, "tiny-llava")
	e, err := caption.Load(context.Background(), p.Model, p.MMProj, nil, &caption.Options{Threads: 1})
	require.NoError(t, err)
	t.Cleanup(func() { e.Close() })
	s := server.New(e, &server.Options{Timeout: 300 * time.Millisecond})
	go s.Run(context.Background())
	base := newLoopback(t, s)
	waitReady(t, base)
	code, body := postJSON(t, base+"/capgen/v1/describe", map[string]any{"image": base64.StdEncoding.EncodeToString(scenePNG(t)),
		"max_tokens": 60000, "on_mismatch": "keep"})
	assert.Equal(t, http.StatusGatewayTimeout, code, string(body))
	dctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	assert.NoError(t, s.Shutdown(dctx))
}
