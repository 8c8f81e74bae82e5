package caption_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/capgen/capgen/caption"
	"github.com/capgen/capgen/llama"
	"github.com/capgen/capgen/vision"
)

type ownClass struct{}

func (ownClass) Error() string        { return "own" }
func (ownClass) Class() caption.Class { return caption.ClassResource }

func TestClassOf(t *testing.T) {
	_, notExist := os.Open("/nonexistent/capgen")
	cases := []struct {
		err  error
		want caption.Class
	}{
		{nil, caption.ClassFailure},
		{errors.New("disk on fire"), caption.ClassFailure},
		{fmt.Errorf("run: %w", context.Canceled), caption.ClassInterrupted},
		{&llama.Error{Op: "LoadModel", Err: fmt.Errorf("truncated: %w", llama.ErrBadFile)}, caption.ClassModel},
		{fmt.Errorf("x: %w", llama.ErrProjectorMismatch), caption.ClassModel},
		{caption.ErrNoVision, caption.ClassModel},
		{fmt.Errorf("%w: 9000 tokens", caption.ErrImageTooLarge), caption.ClassResource},
		{&caption.BadRequestError{Field: "languages", Msg: "empty"}, caption.ClassInput},
		{fmt.Errorf("decode: %w", vision.ErrCorrupt), caption.ClassInput},
		{notExist, caption.ClassInput},
		{fmt.Errorf("wrapped: %w", ownClass{}), caption.ClassResource},
	}
	for _, c := range cases {
		if got := caption.ClassOf(c.err); got != c.want {
			t.Errorf("ClassOf(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	if caption.ClassInterrupted.String() != "interrupted" || caption.Class(42).String() != "unknown" {
		t.Error("Class names")
	}
}
