package caption_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
)

// Eight goroutines describe on one Engine while another closes it: every
// call returns a result or ErrClosed, nothing deadlocks (a call that
// waited for a context when Close drained the pool once waited for ever),
// and the engine's native objects are freed. Run with -race in CI.
func TestDescribeWhileClosing(t *testing.T) {
	before := llama.Live()
	e := toyEngine(t, &caption.Options{Contexts: 2})
	img := renderToy(toyScene(), 96, 96, 5)
	langs, err := caption.ParseLanguages("de,ja")
	if err != nil {
		t.Fatal(err)
	}
	const goroutines, calls = 8, 6
	results := make(chan error, goroutines*calls)
	for range goroutines {
		go func() {
			for range calls {
				_, err := e.Describe(context.Background(), &caption.Request{Image: img, Languages: langs})
				results <- err
			}
		}()
	}
	closed := make(chan error, 1)
	var ok, refused int
	deadline := time.After(2 * time.Minute)
	for n := 0; n < goroutines*calls; n++ {
		select {
		case err := <-results:
			switch {
			case err == nil:
				ok++
			case errors.Is(err, caption.ErrClosed):
				refused++
			default:
				t.Errorf("Describe during Close: %v", err)
			}
			if n == 0 {
				go func() { closed <- e.Close() }()
			}
		case <-deadline:
			t.Fatalf("deadlock: %d of %d calls returned (%d ok, %d refused)", n, goroutines*calls, ok, refused)
		}
	}
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-deadline:
		t.Fatal("Close never returned")
	}
	if ok == 0 || refused == 0 {
		t.Logf("%d calls answered, %d refused", ok, refused)
	}
	if after := llama.Live(); after.Contexts != before.Contexts || after.Samplers != before.Samplers || after.Bitmaps != before.Bitmaps || after.ChunkLists != before.ChunkLists {
		t.Errorf("native objects before %+v, after Close %+v", before, after)
	}
}
