package scene

import "math"

// Shapes are defined in unit coordinates: centred on the origin, inside the
// square [-1, 1] x [-1, 1], y pointing down as in images. The renderer
// scales them uniformly, so they keep their proportions in non-square cells.

// squareHalf is below 1 so the square's area (2.9) is close to the circle's
// (3.1) instead of a third larger; size should not tell the shapes apart.
const squareHalf = 0.85

// The triangle points up, spanning the full width and almost the full
// height, close to equilateral (height/width 0.87).
var trianglePoly = [][2]float64{{0, -0.87}, {1, 0.87}, {-1, 0.87}}

// starPoly is a five-pointed star, one point up. The inner radius 0.45 is a
// little fatter than the regular star's 0.38 so that the points survive
// anti-aliasing at the smallest sizes.
var starPoly = func() [][2]float64 {
	const inner = 0.45
	// A regular star reaches y = -1 at the top but only sin(54°) = 0.81 at
	// the bottom; shifting it down centres it in the unit square.
	shift := (1 - math.Sin(54*math.Pi/180)) / 2
	pts := make([][2]float64, 10)
	for i := range pts {
		r := 1.0
		if i%2 == 1 {
			r = inner
		}
		a := (-90 + 36*float64(i)) * math.Pi / 180
		pts[i] = [2]float64{r * math.Cos(a), r*math.Sin(a) + shift}
	}
	return pts
}()

// contains reports whether the unit-coordinate point (u, v) is inside sh.
func (sh Shape) contains(u, v float64) bool {
	switch sh {
	case Circle:
		return u*u+v*v <= 1
	case Square:
		return math.Abs(u) <= squareHalf && math.Abs(v) <= squareHalf
	case Triangle:
		return inPolygon(trianglePoly, u, v)
	case Star:
		return inPolygon(starPoly, u, v)
	}
	return false
}

// inPolygon is the even-odd crossing test; the star is not convex, so a
// half-plane test would not do.
func inPolygon(poly [][2]float64, u, v float64) bool {
	in := false
	j := len(poly) - 1
	for i := range poly {
		xi, yi := poly[i][0], poly[i][1]
		xj, yj := poly[j][0], poly[j][1]
		if (yi > v) != (yj > v) && u < (xj-xi)*(v-yi)/(yj-yi)+xi {
			in = !in
		}
		j = i
	}
	return in
}
