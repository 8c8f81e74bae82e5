package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/server"
	"github.com/capgen/capgen/vision"
)

// The serve figure (baseline "serve"): capgen serve's engine on loopback,
// K clients at once (1, 4, 16) each posting the bench's images to
// /capgen/v1/describe until all are done; aggregate images/s, latency
// percentiles and failures, against the same requests sent one at a time
// (K = 1) and against an in-process DescribeBatch of the same images (the
// server's overhead). The load is bounded: each image once per K, on the
// bench's context.

type benchServe struct {
	Clients         []benchClients `json:"clients"`
	InProcessPerSec float64        `json:"in_process_images_per_s"`
	ManyVsOne       float64        `json:"most_clients_vs_one"`
	OverheadPct     float64        `json:"overhead_vs_in_process_pct"`
}

type benchClients struct {
	Clients      int     `json:"clients"`
	ImagesPerSec float64 `json:"images_per_s"`
	P50MS        float64 `json:"p50_ms"`
	P95MS        float64 `json:"p95_ms"`
	Failed       int     `json:"failed"`
}

var benchClientCounts = []int{1, 4, 16}

func (bb *benchBatches) serve() error {
	bodies := make([][]byte, len(bb.paths))
	raw := make([][]byte, len(bb.paths))
	for i, p := range bb.paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		raw[i] = b
		bodies[i], _ = json.Marshal(map[string]any{"image": base64.StdEncoding.EncodeToString(b), "languages": []string{bb.one[0].Tag},
			"detail": "brief", "max_tokens": bb.o.MaxTokens, "on_mismatch": "keep"})
	}
	inProcess := func() (time.Duration, error) {
		start := time.Now()
		reqs := make([]*caption.Request, len(raw))
		for i, b := range raw {
			img, err := vision.DecodeBytes(b, &vision.Options{ReduceTo: bb.o.MaxSide})
			if err != nil {
				return 0, err
			}
			reqs[i] = &caption.Request{Image: img, Languages: bb.one, Detail: caption.Brief, OnMismatch: caption.MismatchKeep,
				Generation: caption.Generation{MaxTokens: bb.o.MaxTokens}}
		}
		_, errs := bb.e.DescribeBatch(bb.ctx, reqs)
		for _, err := range errs {
			if err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	// The server's stream holds the engine's context while it runs, so
	// the in-process runs come before it starts and after it stops.
	var url string
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	startServer := func() (func(), error) {
		s := server.New(bb.e, &server.Options{MaxSide: bb.o.MaxSide, Queue: 4 * len(bb.paths)})
		runCtx, stop := context.WithCancel(bb.ctx)
		ran := make(chan error, 1)
		go func() { ran <- s.Run(runCtx) }()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			stop()
			return nil, err
		}
		hs := &http.Server{Handler: s.Handler()}
		go hs.Serve(ln)
		url = "http://" + ln.Addr().String() + "/capgen/v1/describe"
		return func() {
			s.Shutdown(context.Background())
			hs.Close()
			stop()
			<-ran
		}, nil
	}
	clients := func(k int) (benchClients, error) {
		var next atomic.Int64
		lat := make([]time.Duration, len(bodies))
		var failed atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range k {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= len(bodies) || bb.ctx.Err() != nil {
						return
					}
					t0 := time.Now()
					resp, err := client.Post(url, "application/json", bytes.NewReader(bodies[i]))
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							err = fmt.Errorf("status %s", resp.Status)
						}
					}
					if err != nil {
						failed.Add(1)
					}
					lat[i] = time.Since(t0)
				}
			})
		}
		wg.Wait()
		wall := time.Since(start)
		if err := bb.ctx.Err(); err != nil {
			return benchClients{}, err
		}
		slices.Sort(lat)
		pct := func(p float64) float64 { return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))]) }
		return benchClients{Clients: k, ImagesPerSec: float64(len(bodies)) / wall.Seconds(), P50MS: pct(0.5), P95MS: pct(0.95), Failed: int(failed.Load())}, nil
	}

	// In-process runs first and last, so that a machine that drifts during
	// the run favours neither side.
	rep := &benchServe{}
	var inTotal time.Duration
	bb.progress("serve: in-process DescribeBatch of %d images (1 of 2)", len(raw))
	d, err := inProcess()
	if err != nil {
		return err
	}
	inTotal += d
	stopServer, err := startServer()
	if err != nil {
		return err
	}
	for _, k := range benchClientCounts {
		bb.progress("serve: %d client(s), %d images", k, len(bodies))
		c, err := clients(k)
		if err != nil {
			stopServer()
			return err
		}
		rep.Clients = append(rep.Clients, c)
	}
	stopServer()
	bb.progress("serve: in-process DescribeBatch of %d images (2 of 2)", len(raw))
	if d, err = inProcess(); err != nil {
		return err
	}
	inTotal += d
	rep.InProcessPerSec = 2 * float64(len(raw)) / inTotal.Seconds()
	one, many := rep.Clients[0], rep.Clients[len(rep.Clients)-1]
	rep.ManyVsOne = many.ImagesPerSec / one.ImagesPerSec
	rep.OverheadPct = 100 * (rep.InProcessPerSec/many.ImagesPerSec - 1)
	bb.rep.Serve = rep
	return nil
}

func (r *benchServe) table(w io.Writer) {
	for _, c := range r.Clients {
		fmt.Fprintf(w, "serve %2d client(s) %7.3f images/s  p50 %.0f ms, p95 %.0f ms, %d failed\n", c.Clients, c.ImagesPerSec, c.P50MS, c.P95MS, c.Failed)
	}
	fmt.Fprintf(w, "  %d clients vs 1: %.2fx; in-process DescribeBatch %.3f images/s, server overhead %+.1f%%\n",
		r.Clients[len(r.Clients)-1].Clients, r.ManyVsOne, r.InProcessPerSec, r.OverheadPct)
}
