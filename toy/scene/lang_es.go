package scene

// Spanish: "Un círculo rojo arriba a la izquierda, un cuadrado verde arriba a
// la derecha y una estrella azul abajo a la derecha." Adjectives follow the
// noun and agree in gender: círculo, cuadrado and triángulo are masculine,
// estrella is feminine ("una estrella roja"). Verde and azul have one form
// for both; naranja, named after the fruit, is used invariably ("una
// estrella naranja", "un círculo naranja"). The list conjunction "y" never
// needs its "e" form here, since the next word is always "un" or "una".
var spanish = grammar{
	spaced: true,
	marks:  []string{",", "."},
	sep:    []string{","},
	and:    []string{"y"},
	end:    []string{"."},
	item: func(it Item, first bool) []string {
		return cat(esNoun(it.Shape, it.Colour, first), words(esPlaces[it.Place]))
	},
	object: func(sh Shape, c Colour) []string {
		return cat(esNoun(sh, c, true), []string{"."})
	},
}

var (
	esShapes = [NumShapes]struct {
		noun     string
		feminine bool
	}{
		Circle:   {"círculo", false},
		Square:   {"cuadrado", false},
		Triangle: {"triángulo", false},
		Star:     {"estrella", true},
	}
	// Masculine and feminine forms. Morado is the everyday word for purple.
	esColours = [NumColours][2]string{
		Red:    {"rojo", "roja"},
		Green:  {"verde", "verde"},
		Blue:   {"azul", "azul"},
		Yellow: {"amarillo", "amarilla"},
		Purple: {"morado", "morada"},
		Orange: {"naranja", "naranja"},
	}
	esPlaces = [NumPlaces]string{
		"arriba a la izquierda", "arriba en el centro", "arriba a la derecha",
		"en el medio a la izquierda", "en el centro", "en el medio a la derecha",
		"abajo a la izquierda", "abajo en el centro", "abajo a la derecha",
	}
)

func esNoun(sh Shape, c Colour, first bool) []string {
	art, adj := "un", esColours[c][0]
	if esShapes[sh].feminine {
		art, adj = "una", esColours[c][1]
	}
	if first {
		art = title(art)
	}
	return []string{art, esShapes[sh].noun, adj}
}
