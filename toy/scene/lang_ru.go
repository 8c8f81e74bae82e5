package scene

// Russian: "Красный круг вверху слева, зелёный квадрат вверху справа и синяя
// звезда внизу справа." No articles; the adjective precedes the noun and
// agrees with it in the nominative: круг, квадрат and треугольник are
// masculine (-ый/-ий), звезда is feminine (-ая/-яя: "синяя звезда",
// "оранжевая звезда"). Blue is синий, the dark blue of the palette
// (голубой would be light blue). The places are adverbs ("вверху слева"),
// so no adjective has to be declined into the locative. Ё is written out,
// as in dictionaries, so that each word has one spelling.
var russian = grammar{
	spaced: true,
	marks:  []string{",", "."},
	sep:    []string{","},
	and:    []string{"и"},
	end:    []string{"."},
	item: func(it Item, first bool) []string {
		return cat(ruNoun(it.Shape, it.Colour, first), words(ruPlaces[it.Place]))
	},
	object: func(sh Shape, c Colour) []string {
		return cat(ruNoun(sh, c, true), []string{"."})
	},
}

var (
	ruShapes = [NumShapes]struct {
		noun     string
		feminine bool
	}{
		Circle:   {"круг", false},
		Square:   {"квадрат", false},
		Triangle: {"треугольник", false},
		Star:     {"звезда", true},
	}
	// Masculine and feminine nominative singular.
	ruColours = [NumColours][2]string{
		Red:    {"красный", "красная"},
		Green:  {"зелёный", "зелёная"},
		Blue:   {"синий", "синяя"},
		Yellow: {"жёлтый", "жёлтая"},
		Purple: {"фиолетовый", "фиолетовая"},
		Orange: {"оранжевый", "оранжевая"},
	}
	ruPlaces = [NumPlaces]string{
		"вверху слева", "вверху посередине", "вверху справа",
		"слева посередине", "в центре", "справа посередине",
		"внизу слева", "внизу посередине", "внизу справа",
	}
)

func ruNoun(sh Shape, c Colour, first bool) []string {
	adj := ruColours[c][0]
	if ruShapes[sh].feminine {
		adj = ruColours[c][1]
	}
	if first {
		adj = title(adj)
	}
	return []string{adj, ruShapes[sh].noun}
}
