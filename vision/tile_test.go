package vision

import (
	"errors"
	"testing"
)

func TestGrid(t *testing.T) {
	img := gradient(200, 100)
	tiles, err := Grid(img, 2, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []Box{
		{0, 0, 67, 50}, {67, 0, 133, 50}, {133, 0, 200, 50},
		{0, 50, 67, 100}, {67, 50, 133, 100}, {133, 50, 200, 100},
	}
	if len(tiles) != len(want) {
		t.Fatalf("%d tiles", len(tiles))
	}
	for i, tl := range tiles {
		if tl.Box != want[i] || tl.Image.Region != want[i] || tl.Row != i/3 || tl.Col != i%3 {
			t.Errorf("tile %d: row %d col %d box %v, want %v", i, tl.Row, tl.Col, tl.Box, want[i])
		}
		p := tl.Image.RGBAAt(0, 0)
		if int(p.R) != int(want[i].X0) || int(p.G) != int(want[i].Y0) {
			t.Errorf("tile %d starts with pixel %v", i, p)
		}
	}
}

func TestGridOverlap(t *testing.T) {
	img := gradient(200, 100)
	// Two columns sharing 20% of a tile: tile width 200/(2-0.2) = 111.1.
	tiles, err := Grid(img, 1, 2, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if tiles[0].Box != (Box{0, 0, 111, 100}) || tiles[1].Box != (Box{89, 0, 200, 100}) {
		t.Fatalf("boxes %v %v", tiles[0].Box, tiles[1].Box)
	}
	// Tiles of a resized image still report original pixels.
	small, _ := Resize(img, 100, 50, Linear)
	tiles, err = Grid(small, 2, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if tiles[3].Box != (Box{100, 50, 200, 100}) || tiles[3].Image.Width() != 50 {
		t.Fatalf("resized grid tile %v, %dx%d", tiles[3].Box, tiles[3].Image.Width(), tiles[3].Image.Height())
	}
}

func TestGridErrors(t *testing.T) {
	img := gradient(20, 10)
	for _, tc := range []struct {
		rows, cols int
		overlap    float64
	}{{0, 1, 0}, {1, 0, 0}, {11, 1, 0}, {1, 21, 0}, {2, 2, 1}, {2, 2, -0.1}} {
		if _, err := Grid(img, tc.rows, tc.cols, tc.overlap); !errors.Is(err, ErrInvalid) {
			t.Errorf("Grid(%d, %d, %v) err = %v", tc.rows, tc.cols, tc.overlap, err)
		}
	}
	// The densest allowed grid: one pixel per tile.
	tiles, err := Grid(img, 10, 20, 0.5)
	if err != nil || len(tiles) != 200 {
		t.Fatalf("%d tiles, %v", len(tiles), err)
	}
	for _, tl := range tiles {
		if tl.Image.Width() < 1 || tl.Image.Height() < 1 {
			t.Fatalf("empty tile %v", tl.Box)
		}
	}
}

func TestPyramid(t *testing.T) {
	img := gradient(200, 100)
	tiles, err := Pyramid(img, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(tiles) != 5 || tiles[0].Level != 0 || tiles[0].Image != img || tiles[1].Level != 1 || tiles[4].Box != (Box{100, 50, 200, 100}) {
		t.Fatalf("default pyramid: %d tiles, %+v", len(tiles), tiles[4])
	}
	tiles, err = Pyramid(img, 0.1, 1, 2, 3)
	if err != nil || len(tiles) != 1+4+9 || tiles[13].Level != 2 || tiles[13].Row != 2 || tiles[13].Col != 2 {
		t.Fatalf("1,2,3 pyramid: %d tiles, %v", len(tiles), err)
	}
	if _, err := Pyramid(img, 0, 1, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("level 0: err = %v", err)
	}
}
