package server

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/capgen/capgen/caption"
)

// Metrics are the server's Prometheus metrics, in a registry of their own
// (GET /metrics). Make them before loading the engine so that its encodes
// and decode steps are timed too: pass Metrics.Observe as
// caption.Options.Observe and the Metrics as Options.Metrics.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	images   prometheus.Counter
	tokens   prometheus.Counter
	rejected prometheus.Counter
	decode   prometheus.Histogram
	encode   prometheus.Histogram
	step     prometheus.Histogram
}

// NewMetrics makes the metrics.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	secs := func(name, help string, buckets []float64) prometheus.Histogram {
		return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "capgen_requests_total", Help: "HTTP requests by endpoint and status code."}, []string{"endpoint", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "capgen_request_duration_seconds", Help: "Time from a request's arrival to its answer.",
		Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 12)}, []string{"endpoint"})
	m.images = prometheus.NewCounter(prometheus.CounterOpts{Name: "capgen_images_total", Help: "Images captioned (rate() gives images/s)."})
	m.tokens = prometheus.NewCounter(prometheus.CounterOpts{Name: "capgen_generated_tokens_total", Help: "Caption tokens generated (rate() gives tokens/s)."})
	m.rejected = prometheus.NewCounter(prometheus.CounterOpts{Name: "capgen_rejected_total", Help: "Requests turned away because the queue was full (429)."})
	m.decode = secs("capgen_image_decode_seconds", "Time to read and decode an image file into pixels.", prometheus.ExponentialBuckets(0.001, 3, 10))
	m.encode = secs("capgen_image_encode_seconds", "Time of one image (or slice) in the vision encoder and projector.", prometheus.ExponentialBuckets(0.005, 2.5, 12))
	m.step = secs("capgen_decode_step_seconds", "Time of one batched decode step (all running captions advance one token).", prometheus.ExponentialBuckets(0.001, 2.5, 12))
	m.reg.MustRegister(m.requests, m.duration, m.images, m.tokens, m.rejected, m.decode, m.encode, m.step,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// Observe is caption.Options.Observe.
func (m *Metrics) Observe(ms caption.Measure) {
	switch ms.Kind {
	case caption.MeasureImageEncode:
		m.encode.Observe(ms.Took.Seconds())
	case caption.MeasureStep:
		m.step.Observe(ms.Took.Seconds())
	}
}

// gauges adds the server's live gauges.
func (m *Metrics) gauges(s *Server) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "capgen_queue_depth", Help: "Requests waiting for the model."},
			func() float64 { return float64(len(s.in)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "capgen_queue_capacity", Help: "Requests that may wait before 429."},
			func() float64 { return float64(cap(s.in)) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "capgen_sequences_busy", Help: "Sequences the engine holds now (image prefixes and captions)."},
			func() float64 { return float64(s.e.BusySequences()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "capgen_sequences_max", Help: "Sequences one engine context decodes together."},
			func() float64 { return float64(s.e.MaxSequences()) }),
	)
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming handlers flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// measured records a request's endpoint, status and duration.
func (m *Metrics) measured(endpoint string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h(sw, r)
		code := sw.code
		if code == 0 {
			code = http.StatusOK
		}
		m.requests.WithLabelValues(endpoint, itoa(code)).Inc()
		m.duration.WithLabelValues(endpoint).Observe(time.Since(start).Seconds())
	}
}
