package scene

// English: "A red circle at the top left, a green square at the top right
// and a blue star at the bottom right." A list of noun phrases, as captions
// usually are; no serial comma; British "centre" as in the rest of capgen.
var english = grammar{
	spaced: true,
	marks:  []string{",", "."},
	sep:    []string{","},
	and:    []string{"and"},
	end:    []string{"."},
	item: func(it Item, first bool) []string {
		return cat(enNoun(it.Shape, it.Colour, first), words(enPlaces[it.Place]))
	},
	object: func(sh Shape, c Colour) []string {
		return cat(enNoun(sh, c, true), []string{"."})
	},
}

var (
	enShapes  = [NumShapes]string{"circle", "square", "triangle", "star"}
	enColours = [NumColours]string{"red", "green", "blue", "yellow", "purple", "orange"}
	// "at the" for the edges and corners, "in the centre" for the middle,
	// as people describe a picture's layout.
	enPlaces = [NumPlaces]string{
		"at the top left", "at the top centre", "at the top right",
		"at the middle left", "in the centre", "at the middle right",
		"at the bottom left", "at the bottom centre", "at the bottom right",
	}
)

func enNoun(sh Shape, c Colour, first bool) []string {
	// The article follows the sound of the next word: "an orange star".
	art := "a"
	if c == Orange {
		art = "an"
	}
	if first {
		art = title(art)
	}
	return []string{art, enColours[c], enShapes[sh]}
}
