package vision

import (
	"image"
	"math"
)

// Tile is one cell of a grid or pyramid.
type Tile struct {
	// Row and Col number the cell from the top left, from 0.
	Row, Col int
	// Level is the index of the pyramid level; 0 for Grid.
	Level int
	// Box is the cell in original pixels (equal to Image.Region).
	Box   Box
	Image *Image
}

// Grid splits img into rows x cols tiles that together cover it. overlap
// is the fraction of a tile's width (height) shared with its neighbour,
// 0 <= overlap < 1, so that objects on a seam appear whole in some tile.
// Edges are aligned to img's pixel grid and tiles are returned row by row.
func Grid(img *Image, rows, cols int, overlap float64) ([]Tile, error) {
	if rows < 1 || cols < 1 || rows > img.Height() || cols > img.Width() {
		return nil, newError("grid", img.Source, ErrInvalid,
			"a %dx%d grid does not fit a %dx%d image (need 1 <= rows <= height and 1 <= cols <= width)",
			rows, cols, img.Width(), img.Height())
	}
	if math.IsNaN(overlap) || overlap < 0 || overlap >= 1 {
		return nil, newError("grid", img.Source, ErrInvalid, "overlap %v must be in [0, 1)", overlap)
	}
	xs := spans(img.Width(), cols, overlap)
	ys := spans(img.Height(), rows, overlap)
	tiles := make([]Tile, 0, rows*cols)
	for r, y := range ys {
		for c, x := range xs {
			t, box := img.cut(image.Rect(x[0], y[0], x[1], y[1]))
			tiles = append(tiles, Tile{Row: r, Col: c, Box: box, Image: t})
		}
	}
	return tiles, nil
}

// spans divides [0, n) into k equal spans overlapping by the given
// fraction of a span. The first starts at 0 and the last ends at n.
func spans(n, k int, overlap float64) [][2]int {
	size := float64(n) / (float64(k) - float64(k-1)*overlap)
	step := size * (1 - overlap)
	out := make([][2]int, k)
	for i := range k {
		lo := int(math.Round(float64(i) * step))
		hi := int(math.Round(float64(i)*step + size))
		if i == k-1 {
			hi = n
		}
		// Each span keeps at least one pixel even when rounding collides.
		hi = max(hi, lo+1)
		out[i] = [2]int{lo, min(hi, n)}
	}
	return out
}

// Pyramid returns the tiles of several grids over img, level by level:
// level i is a levels[i] x levels[i] grid. Pyramid(img, 0, 1, 2) gives the
// whole image and its four quarters, the layout of Pyramid of Captions.
// With no levels it uses 1 and 2.
func Pyramid(img *Image, overlap float64, levels ...int) ([]Tile, error) {
	if len(levels) == 0 {
		levels = []int{1, 2}
	}
	var all []Tile
	for li, n := range levels {
		tiles, err := Grid(img, n, n, overlap)
		if err != nil {
			return nil, err
		}
		for i := range tiles {
			tiles[i].Level = li
		}
		all = append(all, tiles...)
	}
	return all, nil
}
