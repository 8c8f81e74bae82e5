package scene

// French: "Un cercle rouge en haut à gauche, un carré vert en haut à droite et
// une étoile bleue en bas à droite." Colour adjectives follow the noun and
// agree in gender: cercle, carré and triangle are masculine, étoile is
// feminine ("une étoile violette", "un triangle violet"). Rouge and jaune
// end in -e and do not change; orange, a colour named after a fruit, is
// invariable ("une étoile orange").
var french = grammar{
	spaced: true,
	marks:  []string{",", "."},
	sep:    []string{","},
	and:    []string{"et"},
	end:    []string{"."},
	item: func(it Item, first bool) []string {
		return cat(frNoun(it.Shape, it.Colour, first), words(frPlaces[it.Place]))
	},
	object: func(sh Shape, c Colour) []string {
		return cat(frNoun(sh, c, true), []string{"."})
	},
}

var (
	frShapes = [NumShapes]struct {
		noun     string
		feminine bool
	}{
		Circle:   {"cercle", false},
		Square:   {"carré", false},
		Triangle: {"triangle", false},
		Star:     {"étoile", true},
	}
	// Masculine and feminine forms.
	frColours = [NumColours][2]string{
		Red:    {"rouge", "rouge"},
		Green:  {"vert", "verte"},
		Blue:   {"bleu", "bleue"},
		Yellow: {"jaune", "jaune"},
		Purple: {"violet", "violette"},
		Orange: {"orange", "orange"},
	}
	frPlaces = [NumPlaces]string{
		"en haut à gauche", "en haut au centre", "en haut à droite",
		"au milieu à gauche", "au centre", "au milieu à droite",
		"en bas à gauche", "en bas au centre", "en bas à droite",
	}
)

func frNoun(sh Shape, c Colour, first bool) []string {
	art, adj := "un", frColours[c][0]
	if frShapes[sh].feminine {
		art, adj = "une", frColours[c][1]
	}
	if first {
		art = title(art)
	}
	return []string{art, frShapes[sh].noun, adj}
}
