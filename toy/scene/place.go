package scene

import "fmt"

// Place names where a cell sits, independently of the grid size, so that
// captions and parsed items compare across 2x2 and 3x3 scenes. A 2x2 grid
// uses only the four corners.
type Place int

// The places, in row-major order of a 3x3 grid.
const (
	TopLeft Place = iota
	TopCentre
	TopRight
	MiddleLeft
	Centre
	MiddleRight
	BottomLeft
	BottomCentre
	BottomRight
)

// NumPlaces is the number of places; they are Place(0) to Place(NumPlaces-1).
const NumPlaces = 9

var placeNames = [NumPlaces]string{
	"top left", "top centre", "top right",
	"middle left", "centre", "middle right",
	"bottom left", "bottom centre", "bottom right",
}

// String returns the English name of the place.
func (p Place) String() string {
	if p < 0 || p >= NumPlaces {
		return fmt.Sprintf("Place(%d)", int(p))
	}
	return placeNames[p]
}

// PlaceOf returns the place of the cell at row, col in a rows x cols grid;
// ok is false for grids without captions or cells outside the grid.
func PlaceOf(rows, cols, row, col int) (p Place, ok bool) {
	if !captionGrid(rows, cols) || row < 0 || row >= rows || col < 0 || col >= cols {
		return 0, false
	}
	if rows == 2 {
		// The two rows and columns of a 2x2 grid are the outer ones of 3x3.
		row, col = 2*row, 2*col
	}
	return Place(3*row + col), true
}

// Cell returns the row and column of p in a rows x cols grid; ok is false
// when the grid has no such place (the middle row and column of 2x2).
func (p Place) Cell(rows, cols int) (row, col int, ok bool) {
	if !captionGrid(rows, cols) || p < 0 || p >= NumPlaces {
		return 0, 0, false
	}
	row, col = int(p)/3, int(p)%3
	if rows == 2 {
		if row == 1 || col == 1 {
			return 0, 0, false
		}
		row, col = row/2, col/2
	}
	return row, col, true
}

// Item is one object of a scene as a caption names it.
type Item struct {
	Place  Place
	Shape  Shape
	Colour Colour
}

// Items returns the filled cells of s in caption order (row-major).
func (s Scene) Items() ([]Item, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("scene.Items: %w", err)
	}
	var items []Item
	for i, c := range s.Cells {
		if !c.Filled {
			continue
		}
		p, _ := PlaceOf(s.Rows, s.Cols, i/s.Cols, i%s.Cols)
		items = append(items, Item{Place: p, Shape: c.Shape, Colour: c.Colour})
	}
	return items, nil
}
