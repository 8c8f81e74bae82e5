package llama

import (
	"context"
	"path/filepath"
	"testing"
)

// The toy model's 96 px encoder is the smallest capgen meets: images at
// the aspect limit encode there too, repeatedly (the crash was a read out
// of bounds, so it showed only now and then).
func TestThinImagesSmallEncoder(t *testing.T) {
	dir := filepath.Join("..", "testdata", "toy")
	m, err := LoadModel(context.Background(), filepath.Join(dir, "capgen-toy-F32.gguf"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	pr, err := LoadProjector(m, filepath.Join(dir, "mmproj-capgen-toy-F16.gguf"), &ProjectorOptions{NoWarmup: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	c, err := NewContext(m, &ContextOptions{ContextSize: 512, Projector: pr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, wh := range [][2]int{{16 * MaxAspect, 16}, {MaxAspect, 1}, {1, MaxAspect}} {
		for range 5 {
			if err := c.Clear(); err != nil {
				t.Fatal(err)
			}
			im := Image{Width: wh[0], Height: wh[1], RGB: make([]byte, wh[0]*wh[1]*3)}
			if err := c.Append(context.Background(), 0, Prompt{Text: MediaMarker() + " hi", Images: []Image{im}, AddSpecial: true}); err != nil {
				t.Fatalf("%dx%d: %v", wh[0], wh[1], err)
			}
		}
	}
}
