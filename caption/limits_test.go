package caption_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/vision"
)

// Requests over a limit fail at once with a BadRequestError naming the
// field, before any work.
func TestRequestLimits(t *testing.T) {
	e := toyEngine(t, nil)
	img := renderToy(toyScene(), 64, 48, 1)
	ctx := context.Background()
	many := make([]vision.Box, caption.MaxBoxes+1)
	for i := range many {
		many[i] = vision.Box{X0: 0, Y0: 0, X1: 10, Y1: 10}
	}
	long := strings.Repeat("x", caption.MaxInstructionBytes+1)
	cases := []struct {
		field string
		run   func() error
	}{
		{"max tokens", func() error {
			_, err := e.Describe(ctx, &caption.Request{Image: img, Generation: caption.Generation{MaxTokens: caption.MaxGenerationTokens + 1}})
			return err
		}},
		{"instruction", func() error {
			_, err := e.Describe(ctx, &caption.Request{Image: img, Instruction: long})
			return err
		}},
		{"question", func() error {
			_, err := e.Describe(ctx, &caption.Request{Image: img, Question: long})
			return err
		}},
		{"boxes", func() error {
			_, err := e.Regions(ctx, &caption.RegionsRequest{Image: img, Boxes: many})
			return err
		}},
		{"max tokens", func() error {
			_, err := e.Dense(ctx, &caption.DenseRequest{Image: img, Generation: caption.Generation{MaxTokens: -1}})
			return err
		}},
	}
	for _, c := range cases {
		err := c.run()
		var bad *caption.BadRequestError
		if !errors.As(err, &bad) || bad.Field != c.field {
			t.Errorf("%s: err = %v, want a BadRequestError on %q", c.field, err, c.field)
		}
	}
}
