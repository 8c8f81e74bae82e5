package server

import (
	"net/http"
	"sync"

	"github.com/capgen/capgen/caption"
)

// piece is a part of a caption's text as it is generated.
type piece struct {
	lang caption.Language
	text string
}

// pieces carries generated text from the engine's goroutine, which must
// never wait on a client, to the handler, which writes it out. It grows as
// needed (a caption is a few hundred bytes).
type pieces struct {
	mu     sync.Mutex
	items  []piece
	notify chan struct{}
}

func newPieces() *pieces { return &pieces{notify: make(chan struct{}, 1)} }

// add is Request.OnText.
func (p *pieces) add(lang caption.Language, text string) {
	p.mu.Lock()
	p.items = append(p.items, piece{lang, text})
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// take returns what arrived since the last call.
func (p *pieces) take() []piece {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.items
	p.items = nil
	return out
}

// streamRun submits task and calls each for every piece of text as it
// arrives, flushing after each batch of pieces; it returns the task's
// result once it is answered, after the last piece.
func (s *Server) streamRun(w http.ResponseWriter, r *http.Request, task caption.Task, p *pieces, each func(piece) error) (any, error) {
	type answer struct {
		res any
		err error
	}
	done := make(chan answer, 1)
	go func() {
		res, err := s.submit(r.Context(), task)
		done <- answer{res, err}
	}()
	flusher, _ := w.(http.Flusher)
	write := func() error {
		for _, pc := range p.take() {
			if err := each(pc); err != nil {
				return err
			}
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	}
	for {
		select {
		case <-p.notify:
			if err := write(); err != nil {
				a := <-done // the request's context ends it
				return a.res, err
			}
		case a := <-done:
			if err := write(); err != nil {
				return a.res, err
			}
			return a.res, a.err
		}
	}
}
