package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/vision"
)

// Options configures a Server. The zero value serves on loopback terms:
// no token, no file paths, no remote images.
type Options struct {
	// ModelID names the model in /v1/models and /api/tags; "" uses the
	// engine's.
	ModelID string
	// Version is capgen's version, for /api/version and /capgen/v1/info.
	Version string
	// Info is extra information for /capgen/v1/info (system, model files).
	Info any
	// Token, when set, is required as "Authorization: Bearer TOKEN" on
	// every request but /healthz and /readyz. The command requires one
	// when it listens beyond loopback.
	Token string
	// AllowPaths is the folder that requests may name image files in
	// (resolved, symlinks included, and confined to it); "" allows none.
	AllowPaths string
	// AllowRemoteImages lets requests give http(s) image URLs, fetched with
	// RemoteMaxBytes and RemoteTimeout, without redirects, and never from
	// loopback, private or link-local addresses.
	AllowRemoteImages bool
	RemoteMaxBytes    int64         // 0: 32 MiB
	RemoteTimeout     time.Duration // 0: 20 s
	// MaxBodyBytes bounds a request body (413 above it); 0: 64 MiB.
	MaxBodyBytes int64
	// Decode bounds the images (pixels, bytes); ReduceTo is set per mode
	// from MaxSide.
	Decode vision.Options
	// MaxSide is the engine's --max-side, which decoding may reduce to.
	MaxSide int
	// Queue is how many requests may wait for the model (429 with
	// Retry-After beyond it); 0: four times the engine's MaxSequences.
	Queue int
	// Timeout bounds one request from arrival to answer; 0: 10 minutes.
	Timeout time.Duration
	// OnMismatch is the language-check policy of requests that do not
	// set their own; "" is caption.MismatchRetry.
	OnMismatch caption.OnMismatch
	// Metrics, served at GET /metrics; nil makes a set that does not see
	// the engine's encodes and decode steps (see NewMetrics).
	Metrics *Metrics
}

// Server serves one engine over HTTP. Run must be running for requests to
// be answered.
type Server struct {
	e   *caption.Engine
	opt Options
	mux *http.ServeMux

	in         chan caption.Task
	mu         sync.Mutex
	waiting    map[caption.Task]chan outcome
	gate       sync.RWMutex // draining and closing in, against submits
	draining   bool
	closed     bool // in is closed: a drain ran out of time
	inflight   sync.WaitGroup
	streamDone chan struct{}
	running    atomic.Bool
	started    time.Time
	stats      counters
}

type outcome struct {
	res any
	err error
}

// counters are the server's running totals (for /capgen/v1/info).
type counters struct {
	requests, failed, rejected, images, tokens atomic.Int64
}

// New makes a Server for e; opt nil means defaults.
func New(e *caption.Engine, opt *Options) *Server {
	s := &Server{e: e, waiting: map[caption.Task]chan outcome{}, streamDone: make(chan struct{}), started: time.Now()}
	if opt != nil {
		s.opt = *opt
	}
	o := &s.opt
	if o.ModelID == "" {
		o.ModelID = e.ModelID()
	}
	if o.RemoteMaxBytes == 0 {
		o.RemoteMaxBytes = 32 << 20
	}
	if o.RemoteTimeout == 0 {
		o.RemoteTimeout = 20 * time.Second
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 64 << 20
	}
	if o.Queue <= 0 {
		o.Queue = 4 * e.MaxSequences()
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.OnMismatch == "" {
		o.OnMismatch = caption.MismatchRetry
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics()
	}
	o.Metrics.gauges(s)
	s.in = make(chan caption.Task, o.Queue)
	s.routes()
	return s
}

// Run runs the server's continuous batch until ctx is done or Shutdown
// has drained it.
func (s *Server) Run(ctx context.Context) error {
	s.running.Store(true)
	defer close(s.streamDone)
	defer s.running.Store(false)
	_, err := s.e.Stream(ctx, s.in, func(t caption.Task, res any, err error) {
		s.mu.Lock()
		ch := s.waiting[t]
		delete(s.waiting, t)
		s.mu.Unlock()
		if ch != nil {
			ch <- outcome{res, err}
		}
	})
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// Shutdown stops taking requests (503 from now on), waits for those in
// flight to be answered, and ends Run; ctx bounds the wait.
func (s *Server) Shutdown(ctx context.Context) error {
	s.gate.Lock()
	already := s.draining
	s.draining = true
	s.gate.Unlock()
	if already {
		return nil
	}
	idle := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(idle)
	}()
	var err error
	select {
	case <-idle:
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.gate.Lock()
	s.closed = true
	close(s.in)
	s.gate.Unlock()
	return err
}

// Handler returns the server's routes.
func (s *Server) Handler() http.Handler { return s.mux }

var (
	errDraining  = errors.New("the server is shutting down")
	errQueueFull = errors.New("too many requests are waiting for the model")
	errStopped   = errors.New("the server's batch is not running")
)

// submit runs one task through the server's stream and waits for its
// answer; ctx (the client's request, with the server's timeout) cancels it.
func (s *Server) submit(ctx context.Context, task caption.Task) (any, error) {
	t := caption.WithContext(ctx, task)
	ch := make(chan outcome, 1)
	s.mu.Lock()
	s.waiting[t] = ch
	s.mu.Unlock()
	forget := func() {
		s.mu.Lock()
		delete(s.waiting, t)
		s.mu.Unlock()
	}
	// Requests admitted before a drain began are still sent (Shutdown
	// closes in only once they are all answered); api refuses new ones.
	s.gate.RLock()
	if s.closed || !s.running.Load() {
		s.gate.RUnlock()
		forget()
		return nil, errStopped
	}
	select {
	case s.in <- t:
	default:
		s.gate.RUnlock()
		forget()
		s.stats.rejected.Add(1)
		s.opt.Metrics.rejected.Inc()
		return nil, errQueueFull
	}
	s.gate.RUnlock()
	select {
	case o := <-ch:
		return o.res, o.err
	case <-s.streamDone:
		forget()
		return nil, errStopped
	}
}

// api wraps a handler of work: the token, the drain, the body limit and
// the request's timeout.
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.refused(w, r) {
			return
		}
		s.gate.RLock()
		if s.draining {
			s.gate.RUnlock()
			writeError(w, http.StatusServiceUnavailable, errDraining.Error())
			return
		}
		s.inflight.Add(1)
		s.gate.RUnlock()
		defer s.inflight.Done()
		s.stats.requests.Add(1)
		r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBodyBytes)
		ctx, cancel := context.WithTimeout(r.Context(), s.opt.Timeout)
		defer cancel()
		s.opt.Metrics.measured(r.Pattern, h)(w, r.WithContext(ctx))
	}
}

// info wraps a handler that only reads: the token only.
func (s *Server) info(h func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.refused(w, r) {
			h(w, r)
		}
	}
}

// refused answers 401 to a request without the token.
func (s *Server) refused(w http.ResponseWriter, r *http.Request) bool {
	if s.authorized(r) {
		return false
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="capgen"`)
	writeError(w, http.StatusUnauthorized, "missing or wrong bearer token (Authorization: Bearer TOKEN)")
	return true
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opt.Token == "" {
		return true
	}
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	return ok && constantTimeEqual(tok, s.opt.Token)
}

func constantTimeEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var d byte
	for i := range len(a) {
		d |= a[i] ^ b[i]
	}
	return d == 0
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	})
	m.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		s.gate.RLock()
		draining := s.draining
		s.gate.RUnlock()
		if draining || !s.running.Load() {
			writeError(w, http.StatusServiceUnavailable, "not ready: the batch is not running or the server is draining")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "queued": len(s.in), "queue": cap(s.in)})
	})
	s.nativeRoutes(m)
	s.openAIRoutes(m)
	s.ollamaRoutes(m)
	s.webRoutes(m)
	m.Handle("GET /metrics", s.info(s.opt.Metrics.handler().ServeHTTP))
	s.mux = m
}

// apiError is the body of every error: one line that says what to change.
type apiError struct {
	Error struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    int    `json:"code"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	var e apiError
	e.Error.Message, e.Error.Code = msg, status
	e.Error.Type = strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// statusOf maps an error of the engine, the image layer or the server to
// an HTTP status.
func statusOf(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe), errors.Is(err, vision.ErrFileTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errQueueFull):
		return http.StatusTooManyRequests
	case errors.Is(err, errDraining), errors.Is(err, errStopped), errors.Is(err, caption.ErrClosed):
		return http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		return 499 // the client went away; nobody reads this
	case errors.Is(err, vision.ErrTooLarge), errors.Is(err, vision.ErrCorrupt), errors.Is(err, vision.ErrUnknownFormat),
		errors.Is(err, vision.ErrUnsupported), errors.Is(err, caption.ErrImageTooLarge):
		return http.StatusUnprocessableEntity
	case errors.Is(err, errBadInput):
		return http.StatusBadRequest
	}
	switch caption.ClassOf(err) {
	case caption.ClassInput:
		return http.StatusBadRequest
	case caption.ClassResource:
		return http.StatusUnprocessableEntity
	}
	return http.StatusInternalServerError
}

// errBadInput marks request errors found by the server itself.
var errBadInput = errors.New("bad request")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errBadInput}, args...)...)
}

// fail writes err with its status; the message loses the sentinel's
// prefix where one was added.
func fail(w http.ResponseWriter, err error) {
	msg := strings.TrimPrefix(err.Error(), errBadInput.Error()+": ")
	writeError(w, statusOf(err), msg)
}

func itoa(n int) string { return strconv.Itoa(n) }
