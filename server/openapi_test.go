package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The OpenAPI document the server serves is valid, and the real handlers
// keep it: every operation it lists is called, each request is checked
// against the document's request schema and each answer (successes and
// errors) against its response schema; no operation is left untried.
func TestOpenAPIMatchesHandlers(t *testing.T) {
	_, hs := serve(t, nil)
	resp, err := http.Get(hs.URL + "/capgen/v1/openapi.json")
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	ctx := context.Background()
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(ctx))
	doc.Servers = openapi3.Servers{{URL: hs.URL}}
	router, err := legacy.NewRouter(doc)
	require.NoError(t, err)

	img := base64.StdEncoding.EncodeToString(scenePNG(t))
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("image", "scene.png")
	fw.Write(scenePNG(t))
	mw.WriteField("languages", "de,ja")
	mw.Close()
	type call struct {
		method, path, contentType string
		body                      []byte
		want                      int
	}
	js := func(v any) []byte { b, _ := json.Marshal(v); return b }
	calls := []call{
		{"POST", "/capgen/v1/describe", "application/json", js(map[string]any{"image": img, "languages": []string{"en", "it"}}), 200},
		{"POST", "/capgen/v1/describe", mw.FormDataContentType(), form.Bytes(), 200},
		{"POST", "/capgen/v1/describe", "application/json", js(map[string]any{"image": "@@@"}), 400},
		{"POST", "/capgen/v1/regions", "application/json", js(map[string]any{"image": img, "boxes": [][]float64{{0, 0, 240, 180}}, "languages": []string{"de"}}), 200},
		{"POST", "/capgen/v1/regions", "application/json", js(map[string]any{"image": img, "boxes": [][]float64{{0.5, 0.5, 1, 1}}, "box_format": "normalized"}), 200},
		{"POST", "/capgen/v1/dense", "application/json", js(map[string]any{"image": img, "tile_mode": "region", "on_mismatch": "keep"}), 200},
		{"GET", "/capgen/v1/languages", "", nil, 200},
		{"GET", "/capgen/v1/info", "", nil, 200},
		{"GET", "/capgen/v1/openapi.json", "", nil, 200},
		{"GET", "/healthz", "", nil, 200},
		{"GET", "/readyz", "", nil, 200},
	}
	tried := map[string]bool{}
	for _, c := range calls {
		req, err := http.NewRequest(c.method, hs.URL+c.path, bytes.NewReader(c.body))
		require.NoError(t, err)
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		route, params, err := router.FindRoute(req)
		require.NoError(t, err, "%s %s is not in the document", c.method, c.path)
		tried[c.method+" "+route.Path] = true
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if c.want == 200 {
			require.NoError(t, openapi3filter.ValidateRequest(ctx, in), "%s %s: the request breaks the document", c.method, c.path)
		}
		req.Body = io.NopCloser(bytes.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, c.want, resp.StatusCode, "%s %s: %s", c.method, c.path, body)
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
			Options: &openapi3filter.Options{IncludeResponseStatus: true}}
		out.SetBodyBytes(body)
		assert.NoError(t, openapi3filter.ValidateResponse(ctx, out), "%s %s: the answer breaks the document", c.method, c.path)
	}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			assert.True(t, tried[method+" "+path], "%s %s is documented but not tried", method, path)
		}
	}
	assert.True(t, slices.Contains(doc.Paths.InMatchingOrder(), "/capgen/v1/describe"))
}
