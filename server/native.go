package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/vision"
)

// nativeRequest is the body of /capgen/v1/describe, /regions and /dense
// (JSON), or the fields of a multipart form with the image as the file
// field "image" (lists comma-separated, boxes as JSON).
type nativeRequest struct {
	Image     string   `json:"image,omitempty"` // base64, a data: URL, or an http(s) URL
	Path      string   `json:"path,omitempty"`  // a file under --allow-paths
	Languages []string `json:"languages,omitempty"`

	Detail        string  `json:"detail,omitempty"`
	Strategy      string  `json:"strategy,omitempty"`
	PivotLanguage string  `json:"pivot_language,omitempty"`
	OnMismatch    string  `json:"on_mismatch,omitempty"`
	Prompt        string  `json:"prompt,omitempty"`
	Question      string  `json:"question,omitempty"`
	MaxTokens     int     `json:"max_tokens,omitempty"`
	Temperature   float64 `json:"temperature,omitempty"`
	TopP          float64 `json:"top_p,omitempty"`
	Seed          uint32  `json:"seed,omitempty"`
	Raw           bool    `json:"raw,omitempty"`
	Stream        bool    `json:"stream,omitempty"`

	Boxes     [][]float64 `json:"boxes,omitempty"`
	BoxFormat string      `json:"box_format,omitempty"`
	Words     int         `json:"words,omitempty"`
	Margin    float64     `json:"margin,omitempty"`

	Grid        string `json:"grid,omitempty"`
	SecondLevel bool   `json:"second_level,omitempty"`
	TileMode    string `json:"tile_mode,omitempty"`

	upload []byte
}

func (s *Server) nativeRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /capgen/v1/describe", s.api(s.handleDescribe))
	m.HandleFunc("POST /capgen/v1/regions", s.api(s.handleRegions))
	m.HandleFunc("POST /capgen/v1/dense", s.api(s.handleDense))
	m.HandleFunc("GET /capgen/v1/languages", s.info(s.handleLanguages))
	m.HandleFunc("GET /capgen/v1/info", s.info(s.handleInfo))
	m.HandleFunc("GET /capgen/v1/openapi.json", s.handleOpenAPI)
}

// readNative parses a JSON body or a multipart form.
func readNative(r *http.Request) (*nativeRequest, error) {
	var req nativeRequest
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, badRequest("multipart body: %v", err)
		}
		_ = params
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, wrapBody(err, "multipart body")
			}
			b, err := io.ReadAll(part)
			if err != nil {
				return nil, wrapBody(err, "multipart field "+part.FormName())
			}
			if err := req.setField(part.FormName(), b); err != nil {
				return nil, err
			}
		}
	case "application/json", "":
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, wrapBody(err, "JSON body")
		}
	default:
		return nil, badRequest("Content-Type %s: send application/json or multipart/form-data", ct)
	}
	return &req, nil
}

// wrapBody keeps a body-size error recognisable (413) and makes the rest
// bad requests.
func wrapBody(err error, what string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("%s: larger than the server's limit of %d bytes: %w", what, mbe.Limit, err)
	}
	return badRequest("%s: %v", what, err)
}

// setField sets one multipart field.
func (q *nativeRequest) setField(name string, b []byte) error {
	v := strings.TrimSpace(string(b))
	num := func(dst any) error {
		var err error
		switch d := dst.(type) {
		case *int:
			*d, err = strconv.Atoi(v)
		case *float64:
			*d, err = strconv.ParseFloat(v, 64)
		case *uint32:
			var n uint64
			n, err = strconv.ParseUint(v, 10, 32)
			*d = uint32(n)
		case *bool:
			*d, err = strconv.ParseBool(v)
		}
		if err != nil {
			return badRequest("field %s: %q is not a number", name, v)
		}
		return nil
	}
	switch name {
	case "image":
		q.upload = b
	case "image_url":
		q.Image = v
	case "path":
		q.Path = v
	case "languages", "lang":
		q.Languages = strings.Split(v, ",")
	case "detail":
		q.Detail = v
	case "strategy":
		q.Strategy = v
	case "pivot_language":
		q.PivotLanguage = v
	case "on_mismatch":
		q.OnMismatch = v
	case "prompt":
		q.Prompt = v
	case "question":
		q.Question = v
	case "max_tokens":
		return num(&q.MaxTokens)
	case "temperature":
		return num(&q.Temperature)
	case "top_p":
		return num(&q.TopP)
	case "seed":
		return num(&q.Seed)
	case "raw":
		return num(&q.Raw)
	case "stream":
		return num(&q.Stream)
	case "boxes":
		if err := json.Unmarshal(b, &q.Boxes); err != nil {
			return badRequest("field boxes: want a JSON list of [x0,y0,x1,y1]: %v", err)
		}
	case "box_format":
		q.BoxFormat = v
	case "words":
		return num(&q.Words)
	case "margin":
		return num(&q.Margin)
	case "grid":
		q.Grid = v
	case "second_level":
		return num(&q.SecondLevel)
	case "tile_mode":
		q.TileMode = v
	default:
		return badRequest("unknown field %q", name)
	}
	return nil
}

// common is what every native request has: where the image is, the
// languages and the mismatch policy.
type common struct {
	src    imageSource
	langs  []caption.Language
	policy caption.OnMismatch
	gen    caption.Generation
}

// readCommon reads a native request and its common parts.
func (s *Server) readCommon(r *http.Request) (*nativeRequest, *common, error) {
	q, err := readNative(r)
	if err != nil {
		return nil, nil, err
	}
	var c common
	if c.src, err = q.source(); err != nil {
		return nil, nil, err
	}
	if c.langs, err = q.languages(); err != nil {
		return nil, nil, err
	}
	if c.policy, err = s.policy(q.OnMismatch); err != nil {
		return nil, nil, err
	}
	if c.gen, err = q.generation(); err != nil {
		return nil, nil, err
	}
	return q, &c, nil
}

// source is where the request's image is.
func (q *nativeRequest) source() (imageSource, error) {
	n := 0
	for _, set := range []bool{q.upload != nil, q.Image != "", q.Path != ""} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return imageSource{}, badRequest("give one image: a file upload, image or path")
	case q.upload != nil:
		if len(q.upload) == 0 {
			return imageSource{}, badRequest("image: the uploaded file is empty")
		}
		return imageSource{data: q.upload}, nil
	case q.Path != "":
		return imageSource{path: q.Path}, nil
	}
	return parseImageString(q.Image)
}

func (q *nativeRequest) languages() ([]caption.Language, error) {
	var langs []caption.Language
	for _, code := range q.Languages {
		code = strings.TrimSpace(code)
		if code == "" {
			continue
		}
		l, err := caption.LookupLanguage(code)
		if err != nil {
			return nil, fmt.Errorf("languages: %w", err)
		}
		if !containsLang(langs, l) {
			langs = append(langs, l)
		}
	}
	return langs, nil // at most the registry's 128: repeats are dropped
}

func containsLang(ls []caption.Language, l caption.Language) bool {
	for _, x := range ls {
		if x.Tag == l.Tag {
			return true
		}
	}
	return false
}

func (s *Server) policy(name string) (caption.OnMismatch, error) {
	if name == "" {
		return s.opt.OnMismatch, nil
	}
	p, err := caption.ParseOnMismatch(name)
	if err != nil {
		return "", badRequest("on_mismatch %q: use retry, warn, keep or fail", name)
	}
	return p, nil
}

func (q *nativeRequest) generation() (caption.Generation, error) {
	if q.Temperature < 0 || q.TopP < 0 || q.TopP > 1 {
		return caption.Generation{}, badRequest("temperature must be at least 0 and top_p within 0..1")
	}
	return caption.Generation{MaxTokens: q.MaxTokens,
		Sampling: caption.Sampling{Temperature: float32(q.Temperature), TopP: float32(q.TopP), Seed: q.Seed}}, nil
}

// nativeResult wraps a result with the kind of request.
type nativeResult struct {
	Kind string `json:"kind"`
	any
}

func (s *Server) handleDescribe(w http.ResponseWriter, r *http.Request) {
	q, c, err := s.readCommon(r)
	if err != nil {
		fail(w, err)
		return
	}
	req, err := s.describeRequest(r, q, c)
	if err != nil {
		fail(w, err)
		return
	}
	if !q.Stream {
		res, err := s.submit(r.Context(), req)
		s.answer(w, res, err)
		return
	}
	// Server-Sent Events: "text" events as captions are generated (a
	// retried or translated language streams again, after an "attempt"
	// marker), then one "result" event, or an "error" event.
	p := newPieces()
	req.OnText = p.add
	sse := startSSE(w)
	res, err := s.streamRun(w, r, req, p, func(pc piece) error {
		return sse.event("text", map[string]string{"language": pc.lang.Tag, "text": pc.text})
	})
	if err != nil {
		sse.event("error", map[string]any{"message": err.Error(), "code": statusOf(err)})
		return
	}
	s.count(res)
	sse.event("result", res)
}

// describeRequest builds the engine's request.
func (s *Server) describeRequest(r *http.Request, q *nativeRequest, c *common) (*caption.Request, error) {
	var pivot caption.Language
	var err error
	if q.PivotLanguage != "" {
		if pivot, err = caption.LookupLanguage(q.PivotLanguage); err != nil {
			return nil, fmt.Errorf("pivot_language: %w", err)
		}
	}
	img, err := s.load(r.Context(), c.src, 1)
	if err != nil {
		return nil, err
	}
	return &caption.Request{Image: img, Languages: c.langs, Detail: caption.Detail(q.Detail), Strategy: caption.Strategy(q.Strategy),
		PivotLanguage: pivot, OnMismatch: c.policy, Instruction: q.Prompt, Question: q.Question, Raw: q.Raw, Generation: c.gen}, nil
}

func (s *Server) handleRegions(w http.ResponseWriter, r *http.Request) {
	q, c, err := s.readCommon(r)
	if err != nil {
		fail(w, err)
		return
	}
	format, err := vision.ParseBoxFormat(orDefault(q.BoxFormat, "pixels"))
	if err != nil {
		fail(w, badRequest("box_format: %v", err))
		return
	}
	if len(q.Boxes) == 0 {
		fail(w, badRequest("boxes: give at least one [x0,y0,x1,y1]"))
		return
	}
	if len(q.Boxes) > caption.MaxBoxes {
		fail(w, badRequest("boxes: %d; the limit is %d", len(q.Boxes), caption.MaxBoxes))
		return
	}
	img, err := s.load(r.Context(), c.src, 4)
	if err != nil {
		fail(w, err)
		return
	}
	boxes := make([]vision.Box, len(q.Boxes))
	for i, b := range q.Boxes {
		if len(b) != 4 {
			fail(w, badRequest("boxes[%d]: want 4 numbers [x0,y0,x1,y1], got %d", i, len(b)))
			return
		}
		if boxes[i], err = vision.FromFormat(vision.Box{X0: b[0], Y0: b[1], X1: b[2], Y1: b[3]}, format, img.View()); err != nil {
			fail(w, badRequest("boxes[%d]: %v", i, err))
			return
		}
	}
	res, err := s.submit(r.Context(), &caption.RegionsRequest{Image: img, Boxes: boxes, Words: q.Words, Margin: q.Margin,
		Languages: c.langs, OnMismatch: c.policy, Raw: q.Raw, Generation: c.gen})
	s.answer(w, res, err)
}

func (s *Server) handleDense(w http.ResponseWriter, r *http.Request) {
	q, c, err := s.readCommon(r)
	if err != nil {
		fail(w, err)
		return
	}
	rows, cols := 2, 2
	if q.Grid != "" {
		if n, err := fmt.Sscanf(q.Grid, "%dx%d", &rows, &cols); n != 2 || err != nil {
			fail(w, badRequest("grid %q: want ROWSxCOLS such as 2x2", q.Grid))
			return
		}
	}
	mode := caption.ModeTile
	if q.TileMode != "" {
		if mode, err = caption.ParseMode(q.TileMode); err != nil {
			fail(w, badRequest("tile_mode: %v", err))
			return
		}
	}
	sides := max(rows, cols, 1)
	if q.SecondLevel {
		sides *= 2
	}
	img, err := s.load(r.Context(), c.src, sides)
	if err != nil {
		fail(w, err)
		return
	}
	res, err := s.submit(r.Context(), &caption.DenseRequest{Image: img, Rows: rows, Cols: cols, SecondLevel: q.SecondLevel,
		TileMode: mode, TileWords: q.Words, Languages: c.langs, OnMismatch: c.policy, Raw: q.Raw, Generation: c.gen})
	s.answer(w, res, err)
}

// answer writes a result or its error.
func (s *Server) answer(w http.ResponseWriter, res any, err error) {
	if err != nil {
		s.stats.failed.Add(1)
		fail(w, err)
		return
	}
	s.count(res)
	writeJSON(w, http.StatusOK, res)
}

// count adds a result to the totals.
func (s *Server) count(res any) {
	s.stats.images.Add(1)
	var caps []caption.Caption
	switch r := res.(type) {
	case *caption.Result:
		caps = r.Captions
	case *caption.RegionsResult:
		for _, g := range r.Regions {
			caps = append(caps, g.Captions...)
		}
	case *caption.DenseResult:
		caps = append(append(caps, r.Global...), r.Merged...)
		for _, t := range r.Tiles {
			caps = append(caps, t.Captions...)
		}
	}
	s.opt.Metrics.images.Inc()
	for _, c := range caps {
		s.stats.tokens.Add(int64(c.Tokens))
		s.opt.Metrics.tokens.Add(float64(c.Tokens))
	}
}

func (s *Server) handleLanguages(w http.ResponseWriter, r *http.Request) {
	type lang struct {
		Tag     string `json:"tag"`
		English string `json:"english"`
		Native  string `json:"native"`
		Script  string `json:"script"`
	}
	var out []lang
	for _, l := range caption.Languages() {
		out = append(out, lang{l.Tag, l.English, l.Native, l.Script})
	}
	writeJSON(w, http.StatusOK, map[string]any{"languages": out})
}

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"model":          s.opt.ModelID,
		"version":        s.opt.Version,
		"max_sequences":  s.e.MaxSequences(),
		"queue":          cap(s.in),
		"queued":         len(s.in),
		"uptime_seconds": int64(s.sinceStart().Seconds()),
		"requests":       s.stats.requests.Load(),
		"failed":         s.stats.failed.Load(),
		"rejected":       s.stats.rejected.Load(),
		"images":         s.stats.images.Load(),
		"tokens":         s.stats.tokens.Load(),
		"system":         s.opt.Info,
	})
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
