package scene

// Swahili: "Mduara mwekundu juu kushoto, mraba wa kijani juu kulia na nyota
// ya buluu chini kulia." Adjectives and the associative -a follow the noun
// and agree with its class: mduara and mraba are class 3 (m-/mi-),
// pembetatu and nyota class 9 (n-). Only red is a true adjective stem,
// -ekundu: class 3 mwekundu, class 9 nyekundu. The other colours are nouns
// joined with the associative -a, wa for class 3 and ya for class 9 ("mraba
// wa kijani", "nyota ya kijani"); orange is "rangi ya chungwa" (the colour
// of an orange), whose ya agrees with rangi and never changes. There are
// no articles.
var swahili = grammar{
	spaced: true,
	marks:  []string{",", "."},
	sep:    []string{","},
	and:    []string{"na"},
	end:    []string{"."},
	item: func(it Item, first bool) []string {
		return cat(swNoun(it.Shape, it.Colour, first), words(swPlaces[it.Place]))
	},
	object: func(sh Shape, c Colour) []string {
		return cat(swNoun(sh, c, true), []string{"."})
	},
}

var (
	swShapes = [NumShapes]struct {
		noun   string
		class3 bool
	}{
		Circle:   {"mduara", true},
		Square:   {"mraba", true},
		Triangle: {"pembetatu", false},
		Star:     {"nyota", false},
	}
	// Colour nouns after the associative; red is handled by its own stem.
	swColours = [NumColours]string{
		Green:  "kijani",
		Blue:   "buluu",
		Yellow: "njano",
		Purple: "zambarau",
		Orange: "rangi ya chungwa",
	}
	swPlaces = [NumPlaces]string{
		"juu kushoto", "juu katikati", "juu kulia",
		"katikati kushoto", "katikati", "katikati kulia",
		"chini kushoto", "chini katikati", "chini kulia",
	}
)

func swNoun(sh Shape, c Colour, first bool) []string {
	noun, class3 := swShapes[sh].noun, swShapes[sh].class3
	if first {
		noun = title(noun)
	}
	switch {
	case c == Red && class3:
		return []string{noun, "mwekundu"}
	case c == Red:
		return []string{noun, "nyekundu"}
	case class3:
		return cat([]string{noun, "wa"}, words(swColours[c]))
	}
	return cat([]string{noun, "ya"}, words(swColours[c]))
}
