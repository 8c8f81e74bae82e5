package scene

// Arabic: "في أعلى اليسار دائرة حمراء، وفي أعلى اليمين مربع أخضر، وفي أسفل
// اليمين نجمة زرقاء." An indefinite noun cannot open a nominal sentence, so
// each object is its own sentence with the place fronted ("في الوسط نجمة",
// "in the middle is a star"), and the clauses are joined with و, written
// attached to the next word ("وفي"), after an Arabic comma. Adjectives
// follow the noun and agree in gender: مربع and مثلث are masculine, دائرة
// and نجمة feminine, and the basic colours have their own feminine pattern
// (أحمر/حمراء, أخضر/خضراء, أزرق/زرقاء, أصفر/صفراء) while the relative
// adjectives add ـة (بنفسجي/بنفسجية, برتقالي/برتقالية). Text is unvowelled,
// as Arabic is normally written, so indefinite case endings do not show.
var arabic = grammar{
	spaced: true,
	marks:  []string{"،", "."},
	sep:    []string{"،"},
	and:    []string{"،"},
	end:    []string{"."},
	item: func(it Item, first bool) []string {
		in := "وفي"
		if first {
			in = "في"
		}
		return cat([]string{in}, words(arPlaces[it.Place]), arNoun(it.Shape, it.Colour))
	},
	object: func(sh Shape, c Colour) []string {
		return cat(arNoun(sh, c), []string{"."})
	},
}

var (
	arShapes = [NumShapes]struct {
		noun     string
		feminine bool
	}{
		Circle:   {"دائرة", true},
		Square:   {"مربع", false},
		Triangle: {"مثلث", false},
		Star:     {"نجمة", true},
	}
	// Masculine and feminine indefinite forms.
	arColours = [NumColours][2]string{
		Red:    {"أحمر", "حمراء"},
		Green:  {"أخضر", "خضراء"},
		Blue:   {"أزرق", "زرقاء"},
		Yellow: {"أصفر", "صفراء"},
		Purple: {"بنفسجي", "بنفسجية"},
		Orange: {"برتقالي", "برتقالية"},
	}
	// Construct phrases: "أعلى اليسار" is "the top of the left", as in
	// "في أعلى يسار الصفحة"; the middle row and column use وسط the same way.
	arPlaces = [NumPlaces]string{
		"أعلى اليسار", "أعلى الوسط", "أعلى اليمين",
		"وسط اليسار", "الوسط", "وسط اليمين",
		"أسفل اليسار", "أسفل الوسط", "أسفل اليمين",
	}
)

func arNoun(sh Shape, c Colour) []string {
	adj := arColours[c][0]
	if arShapes[sh].feminine {
		adj = arColours[c][1]
	}
	return []string{arShapes[sh].noun, adj}
}
