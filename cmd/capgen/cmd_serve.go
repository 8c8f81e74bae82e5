package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/server"
)

type serveOptions struct {
	modelOptions
	Listen            string
	Token             string
	AllowPaths        string
	AllowRemoteImages bool
	MaxBody           int // MiB
	Queue             int
	Timeout           time.Duration
	Drain             time.Duration
	OnMismatch        string
}

func serveCommand() *cli.Command {
	var o serveOptions
	return &cli.Command{
		Name:  "serve",
		Usage: "an HTTP server: native, OpenAI-compatible and Ollama-compatible APIs on one continuous batch",
		Flags: append(o.modelOptions.flags(),
			&cli.StringFlag{Name: "listen", Usage: "address to listen on (a non-loopback address needs --token)", Value: "127.0.0.1:8080", Destination: &o.Listen},
			&cli.StringFlag{Name: "token", Usage: "bearer token every request must carry (Authorization: Bearer TOKEN); better set as CAPGEN_TOKEN", Destination: &o.Token},
			&cli.StringFlag{Name: "allow-paths", Usage: "folder whose image files requests may name by path (none by default)", Destination: &o.AllowPaths},
			&cli.BoolFlag{Name: "allow-remote-images", Usage: "let requests give http(s) image URLs (public addresses only, no redirects, size and time limits)", Destination: &o.AllowRemoteImages},
			&cli.IntFlag{Name: "max-body", Usage: "largest request body in MiB (413 above it)", Value: 64, Destination: &o.MaxBody},
			&cli.IntFlag{Name: "queue", Usage: "requests that may wait for the model (429 with Retry-After beyond; 0 = four times --parallel)", Destination: &o.Queue},
			&cli.DurationFlag{Name: "timeout", Usage: "longest time one request may take", Value: 10 * time.Minute, Destination: &o.Timeout},
			&cli.DurationFlag{Name: "drain", Usage: "on SIGTERM or Ctrl-C, how long requests in flight may take to finish (new ones get 503)", Value: 60 * time.Second, Destination: &o.Drain},
			&cli.StringFlag{Name: "on-mismatch", Usage: "default language-check policy of requests: retry, warn, keep or fail", Value: "retry", Destination: &o.OnMismatch},
		),
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return usagef("serve takes no arguments, got %d", c.NArg())
			}
			return runServe(c.Context, c.App.ErrWriter, o)
		},
	}
}

// loopback reports whether addr (host:port) listens on loopback only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func runServe(ctx context.Context, errw io.Writer, o serveOptions) error {
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		return usagef("--listen %q: want HOST:PORT such as 127.0.0.1:8080", o.Listen)
	}
	if !loopback(o.Listen) && o.Token == "" {
		return usagef("--listen %s reaches beyond this machine: set --token (or CAPGEN_TOKEN) so that only your clients can use the model", o.Listen)
	}
	if o.MaxBody < 1 || o.MaxBody > 4096 {
		return usagef("--max-body %d: use 1 to 4096 MiB", o.MaxBody)
	}
	if o.Queue < 0 || o.Timeout <= 0 || o.Drain < 0 {
		return usagef("--queue must be 0 or more, --timeout more than 0 and --drain 0 or more")
	}
	policy, err := caption.ParseOnMismatch(o.OnMismatch)
	if err != nil {
		return usagef("--on-mismatch %q: use retry, warn, keep or fail", o.OnMismatch)
	}
	if err := o.checkDecode(); err != nil {
		return err
	}
	// Listen before loading the model: a taken port fails at once.
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return usagef("--listen %s: %v", o.Listen, err)
	}
	defer ln.Close()
	metrics := server.NewMetrics()
	o.observe = metrics.Observe
	e, err := o.engine(ctx)
	if err != nil {
		return err
	}
	defer e.Close()
	s := server.New(e, &server.Options{
		ModelID: o.name, Version: versionString(), Token: o.Token, AllowPaths: o.AllowPaths, AllowRemoteImages: o.AllowRemoteImages,
		MaxBodyBytes: int64(o.MaxBody) << 20, Decode: *o.decodeOptions(0), MaxSide: o.MaxSide, Queue: o.Queue, Timeout: o.Timeout,
		OnMismatch: policy, Metrics: metrics,
		Info: map[string]any{"cpus": runtime.NumCPU(), "backend": llama.Backend, "gpu": llama.HasGPU(), "model_file": o.Model, "projector_file": o.MMProj},
	})
	runCtx, stopRun := context.WithCancel(context.Background())
	defer stopRun()
	ran := make(chan error, 1)
	go func() { ran <- s.Run(runCtx) }()
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	notef(ctx, "serving %s on http://%s (native /capgen/v1/, OpenAI /v1/, Ollama /api/; Ctrl-C drains and stops)", o.name, ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case err := <-ran:
		hs.Close()
		return fmt.Errorf("serve: the batch stopped: %w", err)
	case <-ctx.Done():
	}
	// Drain: new requests get 503 while those in flight finish.
	notef(ctx, "draining: finishing the requests in flight (up to %s; interrupt again to stop at once)", o.Drain)
	dctx, cancel := context.WithTimeout(context.Background(), o.Drain)
	defer cancel()
	drained := s.Shutdown(dctx)
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer hcancel()
	hs.Shutdown(hctx)
	stopRun()
	<-ran
	if drained != nil && !errors.Is(drained, context.DeadlineExceeded) {
		return drained
	}
	if drained != nil {
		notef(ctx, "drain: some requests were still running after %s and were stopped", o.Drain)
	}
	return nil
}
