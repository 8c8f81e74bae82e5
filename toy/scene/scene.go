package scene

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Shape is the figure drawn in a cell.
type Shape int

// The shapes. Their outlines differ at every scale the renderer uses (round,
// four right angles, three corners, five points), so a model cannot guess
// one from another by size alone.
const (
	Circle Shape = iota
	Square
	Triangle
	Star
)

// NumShapes is the number of shapes; they are Shape(0) to Shape(NumShapes-1).
const NumShapes = 4

var shapeNames = [NumShapes]string{"circle", "square", "triangle", "star"}

// String returns the English name of the shape.
func (sh Shape) String() string {
	if !sh.valid() {
		return fmt.Sprintf("Shape(%d)", int(sh))
	}
	return shapeNames[sh]
}

func (sh Shape) valid() bool { return sh >= 0 && sh < NumShapes }

// Colour is the fill colour of a shape; see the package documentation and
// Colour.RGB for how the values were chosen.
type Colour int

// The colours.
const (
	Red Colour = iota
	Green
	Blue
	Yellow
	Purple
	Orange
)

// NumColours is the number of colours; they are Colour(0) to Colour(NumColours-1).
const NumColours = 6

var colourNames = [NumColours]string{"red", "green", "blue", "yellow", "purple", "orange"}

// String returns the English name of the colour.
func (c Colour) String() string {
	if !c.valid() {
		return fmt.Sprintf("Colour(%d)", int(c))
	}
	return colourNames[c]
}

func (c Colour) valid() bool { return c >= 0 && c < NumColours }

// Cell is one grid cell: empty, or one shape in one colour.
type Cell struct {
	Filled bool
	Shape  Shape
	Colour Colour
}

// Scene is a grid of cells in row-major order: Cells[row*Cols+col].
type Scene struct {
	Rows, Cols int
	Cells      []Cell
}

// At returns the cell at row, col.
func (s Scene) At(row, col int) Cell { return s.Cells[row*s.Cols+col] }

// Errors returned (wrapped, with the operation named) by this package.
var (
	// ErrGrid means the scene's grid has no captions: only 2x2 and 3x3 do.
	ErrGrid = errors.New("unsupported grid (use 2x2 or 3x3)")
	// ErrEmpty means the scene has no filled cell, so there is nothing to name.
	ErrEmpty = errors.New("scene has no filled cell")
	// ErrInvalid means the scene is malformed: cell count or shape or colour out of range.
	ErrInvalid = errors.New("invalid scene")
	// ErrLanguage means the language is not one of Languages().
	ErrLanguage = errors.New("unsupported language")
	// ErrNotCanonical means Parse found a caption that is not exactly what
	// Caption writes for the objects it could read.
	ErrNotCanonical = errors.New("caption is not canonical")
	// ErrUnknownWord means Split met text outside the language's vocabulary.
	ErrUnknownWord = errors.New("word outside the caption vocabulary")
)

// Validate reports whether s can be captioned: a 2x2 or 3x3 grid with one
// valid cell per position and at least one filled cell.
func (s Scene) Validate() error {
	if !captionGrid(s.Rows, s.Cols) {
		return fmt.Errorf("%w: %dx%d", ErrGrid, s.Rows, s.Cols)
	}
	if err := s.checkCells(); err != nil {
		return err
	}
	for _, c := range s.Cells {
		if c.Filled {
			return nil
		}
	}
	return ErrEmpty
}

// checkCells checks what Render needs, which is less than captions need:
// any grid size renders.
func (s Scene) checkCells() error {
	if s.Rows < 1 || s.Cols < 1 || len(s.Cells) != s.Rows*s.Cols {
		return fmt.Errorf("%w: %dx%d grid with %d cells", ErrInvalid, s.Rows, s.Cols, len(s.Cells))
	}
	for i, c := range s.Cells {
		if c.Filled && (!c.Shape.valid() || !c.Colour.valid()) {
			return fmt.Errorf("%w: cell %d holds %v %v", ErrInvalid, i, c.Colour, c.Shape)
		}
	}
	return nil
}

func captionGrid(rows, cols int) bool {
	return (rows == 2 && cols == 2) || (rows == 3 && cols == 3)
}

// RandomOptions tunes Random. A nil *RandomOptions and the zero value both
// give the default: a 2x2 grid with each cell filled with chance 0.6.
type RandomOptions struct {
	// Rows and Cols give the grid: 2x2 or 3x3; zero for both means 2x2.
	Rows, Cols int
	// Fill is the chance that a cell holds a shape, in (0, 1]; zero means 0.6.
	Fill float64
}

// Random returns a random scene: each cell filled with chance opts.Fill, with
// a uniform shape and colour, and at least one cell filled so that every
// scene has a caption. It panics on options outside their documented range.
func Random(rng *rand.Rand, opts *RandomOptions) Scene {
	rows, cols, fill := 2, 2, 0.6
	if opts != nil {
		if opts.Rows != 0 || opts.Cols != 0 {
			rows, cols = opts.Rows, opts.Cols
		}
		if opts.Fill != 0 {
			fill = opts.Fill
		}
	}
	if !captionGrid(rows, cols) {
		panic(fmt.Sprintf("scene.Random: grid %dx%d is not supported; use 2x2 or 3x3", rows, cols))
	}
	if !(fill > 0 && fill <= 1) {
		panic(fmt.Sprintf("scene.Random: Fill %v is outside (0, 1]", fill))
	}
	s := Scene{Rows: rows, Cols: cols, Cells: make([]Cell, rows*cols)}
	filled := false
	for i := range s.Cells {
		if rng.Float64() < fill {
			s.Cells[i] = randomCell(rng)
			filled = true
		}
	}
	if !filled {
		s.Cells[rng.IntN(len(s.Cells))] = randomCell(rng)
	}
	return s
}

func randomCell(rng *rand.Rand) Cell {
	return Cell{Filled: true, Shape: Shape(rng.IntN(NumShapes)), Colour: Colour(rng.IntN(NumColours))}
}

// NewRand returns the generator this package's tools derive from a seed, so
// that "seed 1" means the same scene in drawscene, in training and in tests.
func NewRand(seed uint64) *rand.Rand {
	// The fixed second word keeps seed 0 from starting PCG at the all-zero state.
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}
